from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Team desk: tasks"

    def ready(self):
        from core import digests, nudging
        from desk import digest

        nudging.register_held_kind("task_assigned", "a task was assigned to you", "{n} tasks were assigned to you")
        nudging.register_held_kind("task_due", "a task became due", "{n} tasks became due")
        digests.register_section(digests.Section("tasks", "Overdue tasks", digest.overdue_lines, digest.take))
