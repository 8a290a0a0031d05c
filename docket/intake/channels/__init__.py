"""The ways senders reach the intake, one package each; they share the intake's core."""
