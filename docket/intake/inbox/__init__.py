"""The staff side of the intake: the inbox and triage."""
