# ceb-gen: filled in by the issue that builds this tool.
