from django.apps import AppConfig


class SheetsExportConfig(AppConfig):
    name = "sheets_export"
    verbose_name = "Sheets export"
