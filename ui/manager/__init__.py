"""Manager mode: stock counts with their approval, and the report charts."""
