"""Jobs are database rows; `docket worker` claims and runs them."""
