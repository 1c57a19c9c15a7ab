"""The plan as a workbook the office keeps in Excel: its layout (sheets), writing it
(plan template, plan export), reading it back (plan import) and what an import changes."""
