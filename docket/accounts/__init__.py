"""Staff accounts. Roles, compartments and two-factor login come with the access issue."""
