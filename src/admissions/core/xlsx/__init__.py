"""Spreadsheets (Office Open XML workbooks) written as they are sent: `streamed`."""
