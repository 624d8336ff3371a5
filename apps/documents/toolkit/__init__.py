"""The documents toolkit: what every layout and importer builds on, and nothing about any one document.

- ``faces``: the embedded TrueType faces (found in Debian's font packages), which face draws which
  character, and the canvas every layout draws on (text in runs of faces).
- ``fonts``: the font families for PDF text and fitting text into a box (shrink, wrap, cut short).
- ``barcodes``: Code 128 / UPC-A bar patterns, bar module widths, drawing bars and placed text.
- ``pages``: page units, the A4 list grid (margins, columns, cells, the title block), the warehouse
  address block and the checks every layout shares.
- ``a4_documents``: an A4 document of table sections that runs over pages (pick lists, manifests).
- ``uploads``: safety checks on an uploaded file before anything parses it.
- ``xlsx``: spreadsheets in and out (read an upload, write exports, templates, marked copies).

Plain Python: no Django settings and no other app of the project, so any app can use it.
"""
