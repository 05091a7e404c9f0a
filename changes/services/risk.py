"""Risk: the questionnaire's weighted answers plus what history says about the same CIs and services.

The score (0–100) is 60 % questionnaire and 40 % history; the level follows from the score
(under 25 low, under 50 moderate, under 75 high, else very high). The evidence — each
answer with its weight, each earlier change that failed or was backed out, each incident
linked as caused by an earlier change within 72 hours of its implementation — is stored on
the change, so approvers read why the level is what it is.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Prefetch, Q
from django.utils import timezone

from changes.choices import CloseCode, RiskLevel
from changes.models import Change, ChangeRiskAnswer, RiskAnswer, RiskQuestion
from changes.services.common import locked, require_staff
from changes.workflow import ASSESS, NEW
from itsm.core.choices import LinkKind, TaskKind
from itsm.core.locking import save_locked
from itsm.core.models import TaskLink
from itsm.core.services.timeline import record_field_changes

HISTORY_DAYS = 365
INCIDENT_WINDOW = timedelta(hours=72)
QUESTIONNAIRE_SHARE = 0.6
#: Fewer earlier changes than this and the history counts only in proportion (3 → full weight).
FULL_HISTORY = 3
THRESHOLDS = ((25, RiskLevel.LOW), (50, RiskLevel.MODERATE), (75, RiskLevel.HIGH))
#: The link from an incident to the change that caused it.
CAUSED_BY = LinkKind.CAUSED_BY


@dataclass
class Answered:
    question: RiskQuestion
    answer: RiskAnswer


def questionnaire() -> list[RiskQuestion]:
    """The active questions, each with its answers (two queries)."""
    answers = Prefetch("answers", queryset=RiskAnswer.objects.order_by("order", "id"))
    return list(RiskQuestion.objects.filter(is_active=True).prefetch_related(answers))


def level_for(score: int) -> str:
    for limit, level in THRESHOLDS:
        if score < limit:
            return level
    return RiskLevel.VERY_HIGH


def assess_risk(
    change: Change, *, actor: User, answers: dict[int, int], expected_version: int | None = None
) -> Change:
    """Record the questionnaire answers ({question id: answer id}), compute the risk, keep the evidence."""
    require_staff(actor, "assess change risk")
    answered = _validate_answers(answers)
    with transaction.atomic():
        record = locked(change, expected_version)
        if record.state not in (NEW, ASSESS):
            raise ValidationError({"answers": "The risk is assessed before the change goes to the CAB."})
        ChangeRiskAnswer.objects.filter(change=record).delete()
        ChangeRiskAnswer.objects.bulk_create(
            ChangeRiskAnswer(change=record, question=item.question, answer=item.answer) for item in answered
        )
        before = {"risk": record.risk, "risk_score": record.risk_score}
        evidence = evaluate(record, answered)
        record.risk, record.risk_score = evidence["level"], evidence["score"]
        record.risk_evidence, record.risk_assessed_at = evidence, timezone.now()
        save_locked(record, update_fields=["risk", "risk_score", "risk_evidence", "risk_assessed_at"])
        entry = record_field_changes(
            record, "change.risk_assessed", actor=actor, before=before, after=dict(before, **_now(record))
        )
        if entry is not None:
            entry.body = "; ".join(evidence["why"])
            entry.save(update_fields=["body"])
    return record


def evaluate(change: Change, answered: list[Answered]) -> dict:
    """The score, the level and the evidence for `change` with these answers (writes nothing)."""
    questions = _questionnaire_evidence(answered)
    history = history_evidence(change)
    score = round(QUESTIONNAIRE_SHARE * questions["score"] + (1 - QUESTIONNAIRE_SHARE) * history["score"])
    level = level_for(score)
    why = [
        f"Questionnaire {questions['score']}/100",
        f"history {history['score']}/100 ({history['summary']})",
        f"score {score} → {RiskLevel(level).label.lower()}",
    ]
    return {"score": score, "level": level, "questionnaire": questions, "history": history, "why": why}


def history_evidence(change: Change) -> dict:
    """How earlier changes on the same CIs or services went, over the last year."""
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    earlier = list(_earlier_changes(change, since))
    failed = [c for c in earlier if c.close_code in CloseCode.unsuccessful()]
    incidents = _incidents_after(earlier)
    troubled = {c.number for c in failed} | {row["change"] for row in incidents}
    rate = len(troubled) / len(earlier) if earlier else 0.0
    damping = min(1.0, len(earlier) / FULL_HISTORY)
    score = round(100 * rate * damping)
    summary = (
        f"{len(troubled)} of {len(earlier)} earlier changes on the same CIs or services failed "
        f"or caused incidents within 72 h"
        if earlier
        else "no earlier changes on the same CIs or services"
    )
    return {
        "score": score,
        "summary": summary,
        "changes": len(earlier),
        "failed": [{"number": c.number, "close_code": c.close_code} for c in failed],
        "incidents": incidents,
        "days": HISTORY_DAYS,
    }


def _earlier_changes(change: Change, since):
    ci_ids = list(change.affected_cis.values_list("pk", flat=True))
    service_ids = list(change.affected_services.values_list("pk", flat=True))
    if not ci_ids and not service_ids:
        return Change.objects.none()
    scope = Q(affected_cis__in=ci_ids) | Q(affected_services__in=service_ids)
    done = Change.objects.exclude(pk=change.pk).exclude(close_code="").filter(actual_end__gte=since)
    ids = done.filter(scope).values("pk").distinct()
    return Change.objects.filter(pk__in=ids).only("pk", "number", "close_code").order_by("-actual_end", "-pk")


def _incidents_after(earlier: list[Change]) -> list[dict]:
    """Incidents linked as caused by one of `earlier`, opened within 72 h of its implementation."""
    if not earlier:
        return []
    window_end = ExpressionWrapper(
        F("target__change__actual_end") + INCIDENT_WINDOW, output_field=DateTimeField()
    )
    links = (
        TaskLink.objects.filter(kind=CAUSED_BY, target_id__in=[c.pk for c in earlier])
        .filter(source__kind=TaskKind.INCIDENT)
        .filter(source__opened_at__gte=F("target__change__actual_start"), source__opened_at__lte=window_end)
        .order_by("source_id")
        .values("source__number", "target__number")
    )
    return [{"incident": row["source__number"], "change": row["target__number"]} for row in links]


def _questionnaire_evidence(answered: list[Answered]) -> dict:
    rows, total, possible = [], 0, 0
    for item in answered:
        most = max((a.weight for a in item.question.answers.all()), default=0)
        rows.append(
            {
                "question": item.question.text,
                "answer": item.answer.text,
                "weight": item.answer.weight,
                "max": most,
            }
        )
        total, possible = total + item.answer.weight, possible + most
    score = round(100 * total / possible) if possible else 0
    return {"score": score, "answers": rows}


def _validate_answers(answers: dict[int, int]) -> list[Answered]:
    """Every active question answered once, each with one of its own answers."""
    questions = questionnaire()
    if not questions:
        raise ValidationError({"answers": "There is no risk questionnaire yet: ask an administrator."})
    errors, answered = {}, []
    for question in questions:
        chosen = _as_int(answers.get(question.pk, answers.get(str(question.pk))))
        match = next((a for a in question.answers.all() if a.pk == chosen), None)
        if match is None:
            errors[f"q{question.pk}"] = f"Answer “{question.text}”."
        else:
            answered.append(Answered(question, match))
    if errors:
        raise ValidationError(errors)
    return answered


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _now(record: Change) -> dict:
    return {"risk": record.risk, "risk_score": record.risk_score}
