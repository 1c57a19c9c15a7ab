"""Generate each department's standard workbook for a period (xlsxwriter)."""
