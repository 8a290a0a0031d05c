"""Jobs are database rows; `docket worker` claims and runs them (STYLE.md rule 8)."""
