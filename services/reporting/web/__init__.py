"""The annual report as a printable page: tables and server-rendered SVG charts."""
