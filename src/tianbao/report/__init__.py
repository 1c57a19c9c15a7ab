"""What the office and the clerks read: validation reports (JSON, xlsx), annotated
copies of returns, the status workbook."""
