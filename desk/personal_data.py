"""The desk's holdings of a member's data (core.personal_data).

Tasks belong to the guild: Forget me unlinks the member from the tasks they created,
were given or closed (the tasks stay, assigned to nobody); their comments and choices go.
"""

from core.personal_data import UNLINK, Holding, register

register(
    Holding(
        "desk.Task", "Tasks you created, were given or closed", ("created_by", "assignee", "done_by"), forget=UNLINK
    )
)
register(Holding("desk.TaskComment", "Comments on tasks", ("author",)))
register(Holding("desk.MemberPrefs", "Your task reminder choices", ("member",)))
register(Holding("desk.DigestDay", "Days your overdue tasks were sent", ("member",)))
