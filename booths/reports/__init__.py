"""Reports for organisers: the dashboard's numbers, its SVG charts, and the CSV and XLSX exports."""
