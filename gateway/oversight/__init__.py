"""Province oversight (issue 20): the follow-up figures a province is judged on, for
itself, each regency and city below it and each agency, over a period."""
