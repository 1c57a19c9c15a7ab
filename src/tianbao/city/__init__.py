"""The level above: a district sends its signed-off period up as one signed package
(``package``), a city workspace verifies and records the packages of its districts
(``collect``), lists them (``status``) and sums them (``summary``); ``demo`` runs the
two-level cycle on 焦作市.

A package is a submission of the city's ledger whose department is the district's
code; its long rows are the submission's values, each keeping the district's own
provenance key (submission id, sheet, cell)."""
