# ceb-quota-check: filled in by the issue that builds this tool.
