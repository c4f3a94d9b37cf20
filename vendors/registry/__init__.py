"""Import of the home-jobs registry export (CSV or XLSX) into vendors: check every row, report, write.

The format is docs/registry-format.md: one row per permit, identified by its tracking code. The
same import serves the `import_registry` command and the organisers' upload page. It streams the
file in batches of rows: each batch is checked (every cell normalised first, then validated),
looked up in the database with a few queries and written in one transaction. What the earlier
rows of the file claimed (tracking codes, permit IDs, mobiles), needed to find clashes across
the whole file, is kept in a scratch SQLite file, so memory stays flat however long the file is.

The modules, in the order a file goes through them:
- columns: the registry's columns and the Vendor fields they fill;
- reading: opening a CSV or XLSX within bounds (cells, columns, rows) and matching its headers;
- rejections: the stable codes and bilingual messages of a refused file or a rejected row;
- checks: one row's own cells, normalised and validated into Vendor fields;
- claims: the checks across rows, against earlier rows of the file and the database;
- writing: what one batch creates and updates, written in one transaction;
- report: the verdict of every row, the summary and the report CSV;
- importing: import_registry(), which runs the batches (dry, plain or strict).
"""
