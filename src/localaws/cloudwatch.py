"""CloudWatch: metric alarms evaluated as CloudWatch evaluates them; state changes notify SNS.

moto stores alarms and metric data but never evaluates an alarm, and its metric math
returns no data. Here, every ``LOCALAWS_ALARM_INTERVAL`` seconds (default 10; 0 turns the
loop off) and on request, each metric alarm is evaluated as AWS documents it:

- The alarm's data: one metric (namespace, name and exactly its dimensions, as CloudWatch
  identifies a metric) with a statistic (SampleCount, Sum, Average, Minimum, Maximum) or an
  extended statistic (pNN, nearest rank over the raw values); or metric math queries, one of
  them returned: arithmetic, comparisons (1 or 0), AND / OR, IF(c, a[, b]), FILL(m, value).
  Operations on two series keep the timestamps both have, as CloudWatch's do.
- The evaluation range: ``EvaluationPeriods`` periods aligned to the period, the newest
  being the one ``now`` falls in (CloudWatch evaluates as data arrives, so a datapoint
  counts in the period it lands in); when a period ended since an alarm's last
  evaluation, it is judged complete first, as CloudWatch judges every period.
- ``DatapointsToAlarm`` of them breaching (default all of them) is ALARM. Missing data as
  ``TreatMissingData`` says: ``breaching`` and ``notBreaching`` count as such; ``missing``
  (the default) goes to INSUFFICIENT_DATA when the whole range is missing, and ``ignore``
  keeps the state then; otherwise both judge the datapoints present, and with fewer present
  than ``DatapointsToAlarm`` still alarm when the oldest breaching one is at least that many
  periods old and everything newer breaches or is missing (AWS's rule against premature
  transitions).
- A change of state (by evaluation or ``SetAlarmState``, which AWS also lets act) with
  actions enabled publishes the alarm's JSON notification to each SNS topic among its
  actions for the new state.

Before each evaluation every queue's ApproximateNumberOfMessagesVisible / NotVisible and
ApproximateAgeOfOldestMessage are published (AWS/SQS, by QueueName), as SQS reports them.

Not evaluated: composite alarms and anomaly-band alarms (``ThresholdMetricId``), whose
state stays as set.

The clock can be moved (``POST /moto-api/localaws/clock`` with ``{"offset_seconds": n}``)
so that a test sees two hours pass without sleeping; ``POST
/moto-api/localaws/cloudwatch/evaluate`` evaluates every alarm at once (``{"time": iso}``
to evaluate at a given moment) and answers each alarm's state.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("localaws.cloudwatch")
INTERVAL_SECONDS = float(os.environ.get("LOCALAWS_ALARM_INTERVAL", "10"))

Series = dict[dt.datetime, float]


# --- the clock -------------------------------------------------------------------


class Clock:
    """Wall time plus an offset a test may set (the emulator's one notion of "now")."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


CLOCK = Clock()


# --- statistics over stored datapoints ---------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _dimensions(dimensions: Iterable[Any]) -> frozenset[tuple[str, str]]:
    out = set()
    for d in dimensions:
        name, value = (d["Name"], d["Value"]) if isinstance(d, dict) else (d.name, d.value)
        out.add((str(name), str(value)))
    return frozenset(out)


def statistic(datums: list[Any], stat: str) -> float | None:
    """One period's ``stat`` over moto's datums (single values and statistic sets)."""
    values = [float(d.value) for d in datums if hasattr(d, "value")]
    sets = [d for d in datums if hasattr(d, "sample_count")]
    count = len(values) + sum(float(s.sample_count) for s in sets)
    if count == 0:
        return None
    total = sum(values) + sum(float(s.sum) for s in sets)
    if stat == "SampleCount":
        return count
    if stat == "Sum":
        return total
    if stat == "Average":
        return total / count
    if stat == "Minimum":
        return min([*values, *(float(s.min) for s in sets)])
    if stat == "Maximum":
        return max([*values, *(float(s.max) for s in sets)])
    match = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
    if match and values:  # percentiles need the raw values: statistic sets have none
        ranked = sorted(values)
        rank = max(1, math.ceil(float(match.group(1)) / 100 * len(ranked)))
        return ranked[min(rank, len(ranked)) - 1]
    if match:
        return None
    raise ValueError(f"statistic {stat!r} is not evaluated locally")


MetricIndex = dict[tuple[str, str, frozenset[tuple[str, str]]], list[Any]]


def index_metrics(backend: Any) -> MetricIndex:
    """The backend's datapoints by metric (namespace, name, dimensions): read once per
    evaluation round, not once per alarm and query."""
    index: MetricIndex = {}
    for datum in backend.get_all_metrics():
        index.setdefault((datum.namespace, datum.name, _dimensions(datum.dimensions)), []).append(datum)
    return index


def metric_series(
    metrics: MetricIndex,
    namespace: str,
    name: str,
    dimensions: Iterable[Any],
    stat: str,
    period: int,
    periods: list[dt.datetime],
    unit: str | None = None,
) -> Series:
    """``stat`` per period (each starting at one of ``periods``) of the metric named exactly."""
    first, end = periods[0], periods[-1] + dt.timedelta(seconds=period)
    buckets: dict[dt.datetime, list[Any]] = {}
    for datum in metrics.get((namespace, name, _dimensions(dimensions)), []):
        if unit and datum.unit and datum.unit != unit:
            continue
        at = _utc(datum.timestamp)
        if first <= at < end:
            start = first + dt.timedelta(seconds=(at - first).total_seconds() // period * period)
            buckets.setdefault(start, []).append(datum)
    out: Series = {}
    for start, datums in buckets.items():
        value = statistic(datums, stat)
        if value is not None:
            out[start] = value
    return out


# --- metric math -----------------------------------------------------------------

_WORDS = {r"\bAND\b": " and ", r"\bOR\b": " or ", "&&": " and ", r"\|\|": " or "}


class MathError(ValueError):
    pass


class Math:
    """Evaluate one metric math expression over the series of the other queries."""

    def __init__(self, series: dict[str, Series], periods: list[dt.datetime]) -> None:
        self.series = series
        self.periods = periods

    def evaluate(self, expression: str) -> Series:
        text = expression
        for pattern, word in _WORDS.items():
            text = re.sub(pattern, word, text)
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise MathError(f"cannot parse {expression!r}: {exc.msg}") from exc
        value = self._node(tree.body)
        return value if isinstance(value, dict) else {p: float(value) for p in self.periods}

    def _node(self, node: ast.AST) -> Series | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in self.series:
                raise MathError(f"unknown metric id {node.id!r}")
            return self.series[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return _apply(lambda a: -a, self._node(node.operand))
        if isinstance(node, ast.BinOp):
            ops: dict[type, Callable[[float, float], float]] = {
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.Mult: lambda a, b: a * b,
                ast.Div: lambda a, b: a / b if b else math.nan,
            }
            if type(node.op) not in ops:
                raise MathError(f"operator {type(node.op).__name__} is not evaluated locally")
            return _apply(ops[type(node.op)], self._node(node.left), self._node(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            tests: dict[type, Callable[[float, float], bool]] = {
                ast.Gt: lambda a, b: a > b,
                ast.GtE: lambda a, b: a >= b,
                ast.Lt: lambda a, b: a < b,
                ast.LtE: lambda a, b: a <= b,
                ast.Eq: lambda a, b: a == b,
                ast.NotEq: lambda a, b: a != b,
            }
            test = tests[type(node.ops[0])]
            return _apply(lambda a, b: float(test(a, b)), self._node(node.left), self._node(node.comparators[0]))
        if isinstance(node, ast.BoolOp):
            both = isinstance(node.op, ast.And)
            values = [self._node(v) for v in node.values]
            result = values[0]
            for value in values[1:]:
                result = _apply(lambda a, b: float(bool(a) and bool(b) if both else bool(a) or bool(b)), result, value)
            return result
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node.func.id.upper(), [self._node(a) for a in node.args])
        raise MathError(f"{ast.unparse(node)!r} is not evaluated locally")

    def _call(self, name: str, args: list[Series | float]) -> Series | float:
        if name == "FILL" and len(args) == 2 and isinstance(args[0], dict) and not isinstance(args[1], dict):
            filled, value = args[0], args[1]
            return {p: filled.get(p, value) for p in self.periods}
        if name == "IF" and len(args) in (2, 3):
            cond, then = args[0], args[1]
            otherwise = args[2] if len(args) == 3 else None
            out: Series = {}
            for p in self.periods:
                c = cond.get(p) if isinstance(cond, dict) else cond
                if c is None:
                    continue
                chosen = then if c else otherwise
                v = chosen.get(p) if isinstance(chosen, dict) else chosen
                if v is not None:
                    out[p] = v
            return out
        raise MathError(f"function {name} with {len(args)} arguments is not evaluated locally")


def _apply(op: Callable[..., float], *args: Series | float) -> Series | float:
    if not any(isinstance(a, dict) for a in args):
        return op(*args)
    keys = set.intersection(*(set(a) for a in args if isinstance(a, dict)))
    return {k: op(*(a[k] if isinstance(a, dict) else a for a in args)) for k in sorted(keys)}


# --- evaluation ------------------------------------------------------------------

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def _period_starts(now: dt.datetime, period: int, count: int) -> list[dt.datetime]:
    epoch = int(now.timestamp()) // period * period
    return [dt.datetime.fromtimestamp(epoch - i * period, dt.UTC) for i in range(count - 1, -1, -1)]


def alarm_series(metrics: MetricIndex, alarm: Any, periods: list[dt.datetime]) -> Series:
    """The datapoints the alarm judges, one per period that has one."""
    period = int(alarm.period or 60)
    if not alarm.metric_data_queries:
        stat = alarm.extended_statistic or alarm.statistic
        return metric_series(
            metrics, alarm.namespace, alarm.metric_name, alarm.dimensions, stat, period, periods, alarm.unit
        )
    series: dict[str, Series] = {}
    returned: list[str] = []
    pending = []
    for query in alarm.metric_data_queries:
        if _returns(query.return_data):
            returned.append(query.id)
        if query.metric_stat is not None:
            stat, metric = query.metric_stat, query.metric_stat.metric
            series[query.id] = metric_series(
                metrics,
                metric.namespace,
                metric.metric_name,
                metric.dimensions,
                stat.stat,
                int(stat.period or period),
                periods,
                stat.unit,
            )
        else:
            pending.append(query)
    # an expression may name another expression: evaluate until none is left
    for _ in range(len(pending)):
        for query in list(pending):
            try:
                series[query.id] = Math(series, periods).evaluate(query.expression)
                pending.remove(query)
            except MathError as exc:
                if "unknown metric id" not in str(exc):
                    raise
    if pending:
        raise MathError(f"expressions {[q.id for q in pending]} name ids that do not exist")
    if len(returned) != 1:
        raise MathError(f"exactly one query must return data, not {len(returned)}")
    return series[returned[0]]


def _returns(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def decide(alarm: Any, datapoints: list[float | None]) -> tuple[str, str]:
    """The state for datapoints oldest first (None: missing), and why."""
    n = len(datapoints)
    m = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
    treat = alarm.treat_missing_data or "missing"
    compare = _COMPARE[alarm.comparison_operator]
    threshold = float(alarm.threshold)

    def breaches(v: float | None) -> bool | None:
        if v is None:
            return {"breaching": True, "notBreaching": False}.get(treat)
        return not math.isnan(v) and compare(v, threshold)

    judged = [breaches(v) for v in datapoints]
    present = [j for j in judged if j is not None]
    shown = ", ".join("missing" if v is None else f"{v:g}" for v in datapoints)
    if not present:
        if treat == "ignore":
            return alarm.state_value, "no datapoints: the state is kept (ignore)"
        return "INSUFFICIENT_DATA", f"Insufficient Data: {n} datapoints were unknown."
    breaching = sum(1 for j in present if j)
    why = f"[{shown}] against the threshold ({threshold:g}): {breaching} of {n} breaching, {m} needed"
    if breaching >= m:
        return "ALARM", f"Threshold Crossed: {why}."
    if len(present) < m and treat in ("missing", "ignore"):
        # the oldest breaching datapoint at least m periods old, everything newer breaching or missing
        oldest = next((i for i, j in enumerate(judged) if j), None)
        if oldest is not None and n - oldest >= m and all(j is not False for j in judged[oldest:]):
            return "ALARM", f"Threshold Crossed: {why} (fewer present than needed, none newer within)."
    return "OK", f"Threshold not crossed: {why}."


def evaluate(metrics: MetricIndex, alarm: Any, now: dt.datetime) -> str:
    """Evaluate one metric alarm at ``now``; its state afterwards."""
    if alarm.rule or alarm.threshold_metric_id or alarm.comparison_operator not in _COMPARE:
        return str(alarm.state_value)  # composite and anomaly-band alarms: not evaluated here
    period = int(alarm.period or 60)
    periods = _period_starts(now, period, int(alarm.evaluation_periods))
    try:
        series = alarm_series(metrics, alarm, periods)
    except (MathError, ValueError) as exc:
        log.warning("alarm %s not evaluated: %s", alarm.name, exc)
        return str(alarm.state_value)
    state, reason = decide(alarm, [series.get(p) for p in periods])
    if state != alarm.state_value:
        data = {
            "version": "1.0",
            "queryDate": now.isoformat(timespec="milliseconds"),
            "startDate": periods[0].isoformat(timespec="milliseconds"),
            "period": period,
            "recentDatapoints": [series[p] for p in periods if p in series],
            "threshold": alarm.threshold,
            "evaluatedDatapoints": [
                {"timestamp": p.isoformat(timespec="milliseconds"), "value": series[p]} for p in periods if p in series
            ],
        }
        alarm.localaws_state_time = now
        alarm.update_state(reason, json.dumps(data), state)
    return str(alarm.state_value)


def publish_queue_metrics(at: dt.datetime) -> None:
    """Each queue's depth and oldest message age (AWS/SQS, by QueueName), as SQS reports them
    every minute; published just before an evaluation, stamped with its time."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.sqs.models import sqs_backends

    stamp = at.astimezone(dt.UTC).replace(tzinfo=None)  # moto keeps metric timestamps naive (UTC)
    for account_id, regions in list(sqs_backends.items()):
        for region, backend in list(regions.items()):
            data = []
            for queue in list(backend.queues.values()):
                messages = list(queue._messages)
                visible = [m for m in messages if m.visible]
                stamps: list[Any] = [m.sent_timestamp for m in messages]
                sent = [int(t) for t in stamps if t is not None]
                age = max(0.0, at.timestamp() - min(sent) / 1000) if sent else 0.0
                dims = [{"Name": "QueueName", "Value": queue.name}]
                for name, value in (
                    ("ApproximateNumberOfMessagesVisible", len(visible)),
                    ("ApproximateNumberOfMessagesNotVisible", len(messages) - len(visible)),
                    ("ApproximateAgeOfOldestMessage", age),
                ):
                    data.append({"MetricName": name, "Value": value, "Dimensions": dims, "Timestamp": stamp})
            for i in range(0, len(data), 900):
                cloudwatch_backends[account_id][region].put_metric_data("AWS/SQS", data[i : i + 900])


def evaluate_all(now: dt.datetime | None = None) -> dict[str, str]:
    """Every metric alarm in every account and region; ``{alarm arn: state}``."""
    from moto.cloudwatch.models import cloudwatch_backends

    at = now or CLOCK.now()
    publish_queue_metrics(at)
    states = {}
    for regions in list(cloudwatch_backends.values()):
        for backend in list(regions.values()):
            metrics = index_metrics(backend)
            for alarm in list(backend.alarms.values()):
                # CloudWatch evaluates every period: when one ended since the last evaluation,
                # judge it complete first, so a datapoint in its last seconds is never skipped
                last = getattr(alarm, "localaws_evaluated_at", None)
                boundary = _period_starts(at, int(alarm.period or 60), 1)[0]
                if last is not None and last < boundary <= at:
                    evaluate(metrics, alarm, boundary - dt.timedelta(milliseconds=1))
                states[alarm.alarm_arn] = evaluate(metrics, alarm, at)
                setattr(alarm, "localaws_evaluated_at", at)  # noqa: B010 - moto's model has no such field
    return states


# --- notifications ---------------------------------------------------------------


def notification(alarm: Any, old_state: str, now: dt.datetime) -> dict[str, Any]:
    """The message CloudWatch sends to SNS for a state change."""
    account_id = alarm.alarm_arn.split(":")[4]
    trigger: dict[str, Any] = {
        "ComparisonOperator": alarm.comparison_operator,
        "Threshold": alarm.threshold,
        "TreatMissingData": alarm.treat_missing_data or "missing",
        "EvaluationPeriods": alarm.evaluation_periods,
        "Period": alarm.period,
    }
    if alarm.metric_data_queries:
        trigger["Metrics"] = [
            {"Id": q.id, "Expression": q.expression, "ReturnData": _returns(q.return_data)}
            if q.metric_stat is None
            else {
                "Id": q.id,
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.metric_stat.metric.namespace,
                        "MetricName": q.metric_stat.metric.metric_name,
                        "Dimensions": [
                            {"name": n, "value": v} for n, v in sorted(_dimensions(q.metric_stat.metric.dimensions))
                        ],
                    },
                    "Period": int(q.metric_stat.period or alarm.period or 60),
                    "Stat": q.metric_stat.stat,
                },
                "ReturnData": _returns(q.return_data),
            }
            for q in alarm.metric_data_queries
        ]
    else:
        trigger |= {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "Statistic": (alarm.statistic or "").upper() or None,
            "ExtendedStatistic": alarm.extended_statistic,
            "Unit": alarm.unit,
            "Dimensions": [{"value": v, "name": n} for n, v in sorted(_dimensions(alarm.dimensions))],
        }
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account_id,
        "AlarmConfigurationUpdatedTimestamp": _utc(alarm.configuration_updated_timestamp).isoformat(
            timespec="milliseconds"
        ),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": now.isoformat(timespec="milliseconds"),
        "Region": alarm.region_name,
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
        "Trigger": trigger,
    }


def _notify(alarm: Any, old_state: str) -> None:
    from moto.sns.models import sns_backends

    actions = {
        "OK": alarm.ok_actions,
        "ALARM": alarm.alarm_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }[alarm.state_value]
    now = getattr(alarm, "localaws_state_time", None) or CLOCK.now()
    message = json.dumps(notification(alarm, old_state, now))
    subject = f'{alarm.state_value}: "{alarm.name}" in {alarm.region_name}'[:100]
    for arn in actions or []:
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "sns":
            log.info("alarm %s: action %s is not an SNS topic: not run locally", alarm.name, arn)
            continue
        try:
            sns_backends[parts[4]][parts[3]].publish(message, arn=arn, subject=subject)
        except Exception:  # a missing topic is the alarm's problem, not the evaluator's
            log.exception("alarm %s: could not publish to %s", alarm.name, arn)


# --- install ---------------------------------------------------------------------


def _moto_api(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    def view(request: Any, _full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        # moto hands its API views the WSGI request with the body still in the stream
        size = int(headers.get("Content-Length") or 0)
        raw = request.environ["wsgi.input"].read(size) if size else b""
        try:
            body = json.loads(raw or b"{}")
            return 200, {"Content-Type": "application/json"}, json.dumps(handler(body))
        except (ValueError, TypeError, KeyError) as exc:
            return 400, {"Content-Type": "application/json"}, json.dumps({"message": str(exc)})

    view.__name__ = f"localaws_{handler.__name__}"
    return view


def _clock(body: dict[str, Any]) -> dict[str, Any]:
    if "offset_seconds" in body:
        CLOCK.offset = dt.timedelta(seconds=float(body["offset_seconds"]))
    return {"now": CLOCK.now().isoformat(), "offset_seconds": CLOCK.offset.total_seconds()}


def _evaluate(body: dict[str, Any]) -> dict[str, Any]:
    at = _utc(dt.datetime.fromisoformat(body["time"])) if body.get("time") else CLOCK.now()
    return {"time": at.isoformat(), "states": evaluate_all(at)}


def _loop() -> None:
    while True:
        time.sleep(INTERVAL_SECONDS)
        try:
            evaluate_all()
        except Exception:  # pragma: no cover - the loop outlives a bad alarm
            log.exception("alarm evaluation failed")


def install() -> None:
    from moto.cloudwatch.models import Alarm
    from moto.moto_api._internal import urls

    original_init = Alarm.__init__
    original_update = Alarm.update_state

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.state_value = "INSUFFICIENT_DATA"  # as AWS creates an alarm (moto says OK)

    setattr(Alarm, "__init__", init)  # noqa: B010 - a patch

    def update_state(self: Any, reason: str, reason_data: str, state_value: str) -> None:
        old = self.state_value
        original_update(self, reason, reason_data, state_value)
        if state_value != old and self.actions_enabled:
            _notify(self, old)

    setattr(Alarm, "update_state", update_state)  # noqa: B010
    urls.url_paths["{0}/moto-api/localaws/clock$"] = _moto_api(_clock)
    urls.url_paths["{0}/moto-api/localaws/cloudwatch/evaluate$"] = _moto_api(_evaluate)
    if INTERVAL_SECONDS > 0:
        threading.Thread(target=_loop, name="cloudwatch-alarms", daemon=True).start()
