"""The article lifecycle. Services check every move here, whoever calls them.

Draft → In review → Published → Retired. An approval with a publish date in the future
parks the article in Scheduled until the beat sweep publishes it. A reviewer who sends an
article back must say why; retired articles can be reopened as drafts.
"""

from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow
from knowledge.choices import ArticleState as S


def needs_title_and_body(article) -> str | None:
    if not article.title.strip():
        return "Give the article a title."
    if not article.body.strip():
        return "Write the article body before sending it for review."
    return None


def needs_review_comment(article) -> str | None:
    return None if getattr(article, "_review_comment", "").strip() else "Say what needs to change."


ARTICLE_WORKFLOW = Workflow(
    states=[
        State(S.DRAFT, "Draft", StateCategory.NEW),
        State(S.IN_REVIEW, "In review", StateCategory.PENDING),
        State(S.SCHEDULED, "Scheduled", StateCategory.PENDING),
        State(S.PUBLISHED, "Published", StateCategory.OPEN),
        State(S.RETIRED, "Retired", StateCategory.CLOSED),
    ],
    transitions=[
        Transition(
            "submit",
            "Send for review",
            sources=(S.DRAFT,),
            target=S.IN_REVIEW,
            guards=(needs_title_and_body,),
        ),
        Transition("approve", "Approve and publish", sources=(S.IN_REVIEW,), target=S.PUBLISHED),
        Transition("schedule", "Approve for later", sources=(S.IN_REVIEW,), target=S.SCHEDULED),
        Transition(
            "send_back", "Send back", sources=(S.IN_REVIEW,), target=S.DRAFT, requires=(needs_review_comment,)
        ),
        Transition("publish", "Publish now", sources=(S.SCHEDULED,), target=S.PUBLISHED),
        Transition("unschedule", "Back to draft", sources=(S.SCHEDULED,), target=S.DRAFT),
        Transition("retire", "Retire", sources=(S.PUBLISHED,), target=S.RETIRED),
        Transition("reopen", "Reopen as draft", sources=(S.RETIRED,), target=S.DRAFT),
    ],
    initial=S.DRAFT,
)

#: Moves only knowledge managers (and admins) may make.
REVIEWER_MOVES = frozenset({"approve", "schedule", "send_back", "publish", "unschedule", "retire", "reopen"})
