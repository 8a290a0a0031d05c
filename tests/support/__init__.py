"""What the tests share: instances driven through the real `docket` command (built once per
test run and copied per test), the personas of the access rules, free ports and servers,
media made by code. Tests import from here, never from each other."""
