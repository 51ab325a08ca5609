"""Every item the seeds assign to the four questionnaires maps to a question,
checklist item, rule, dimension or gate id that exists in the loaded files."""

from __future__ import annotations

import pytest

from gatebook.questionnaire import Questionnaire, load_questionnaire

from .conftest import ROOT

# (questionnaire, seed item as the seed words it, kind, id)
COVERAGE: list[tuple[str, str, str, str]] = [
    # seed 000: seven dimensions and their criteria
    *[
        ("oqr", f"dimension {d}", "dimension", d)
        for d in ["TE", "PM", "ADR", "C", "A", "ADS", "CO"]
    ],
    ("oqr", "Cutting-edge Solutions", "question", "te_cutting_edge"),
    ("oqr", "Collaborative Approach", "question", "te_collaborative"),
    ("oqr", "Measurable Outcomes", "question", "te_measurable_outcomes"),
    ("oqr", "Architecture Excellence", "question", "te_architecture"),
    ("oqr", "On-time, On-budget Delivery", "question", "pm_on_time_budget"),
    ("oqr", "Proactive Communication", "question", "pm_proactive_comms"),
    ("oqr", "Risk Management", "question", "pm_risk_management"),
    ("oqr", "Strategic Alignment", "question", "pm_strategic_alignment"),
    ("oqr", "Exceptional Results", "question", "adr_exceptional_results"),
    ("oqr", "Expertise Leverage", "question", "adr_expertise_leverage"),
    ("oqr", "Rigorous Management", "question", "adr_rigorous_management"),
    ("oqr", "Continuous Improvement", "question", "adr_continuous_improvement"),
    ("oqr", "Effective Collaboration", "question", "c_collaboration"),
    ("oqr", "Clear Messaging", "question", "c_clear_messaging"),
    ("oqr", "Active Listening", "question", "c_active_listening"),
    ("oqr", "Relationship Building", "question", "c_relationships"),
    ("oqr", "Right Resources", "question", "a_right_resources"),
    ("oqr", "Right Timing", "question", "a_right_timing"),
    ("oqr", "Capacity Planning", "question", "a_capacity_planning"),
    ("oqr", "Skill Alignment", "question", "a_skill_alignment"),
    ("oqr", "Data Protection", "question", "ads_data_protection"),
    ("oqr", "Industry Standards", "question", "ads_industry_standards"),
    ("oqr", "Risk Minimization", "question", "ads_risk_minimization"),
    ("oqr", "Compliance", "question", "ads_compliance"),
    ("oqr", "Customer Success Focus", "question", "co_success_focus"),
    ("oqr", "Deep Listening", "question", "co_deep_listening"),
    ("oqr", "Proactive Value Creation", "question", "co_proactive_value"),
    ("oqr", "Continuous Engagement", "question", "co_continuous_engagement"),
    # seed 000: high-risk patterns
    *[
        ("oqr", f"pattern {f}", "flag", f)
        for f in [
            "large_deal_size",
            "large_fixed_price",
            "low_risk_premium",
            "production_access",
            "regulated_data",
            "ai_ml_services",
            "missing_security",
            "thin_prime",
            "partner_clarity",
            "multiple_partners",
            "low_customer_experience",
            "incomplete_understanding",
            "missing_documentation",
            "unclear_requirements",
        ]
    ],
    # seed 000: mandatory documentation
    ("oqr", "Clearly defined and measurable success criteria", "question", "cbo_success_criteria"),
    ("oqr", "Alignment with customer strategic objectives", "question", "cbo_strategic_alignment"),
    ("oqr", "Quantifiable business value propositions", "question", "cbo_business_value"),
    (
        "oqr",
        "Detailed system design and component specifications",
        "question",
        "arch_system_design",
    ),
    (
        "oqr",
        "Integration patterns and data flow diagrams",
        "question",
        "arch_integration_data_flow",
    ),
    ("oqr", "Security architecture and controls", "question", "arch_security_controls"),
    ("oqr", "Comprehensive risk identification and analysis", "question", "risk_identification"),
    (
        "oqr",
        "Mitigation strategies for each identified risk",
        "chapter",
        "Risk Assessment:register",
    ),
    ("oqr", "Customer Business Outcomes", "chapter", "Customer Business Outcomes:section:doc_cbo"),
    (
        "oqr",
        "Technical Architecture",
        "chapter",
        "Technical Architecture:section:doc_architecture",
    ),
    ("oqr", "Resource Planning", "chapter", "Resource Planning:section:doc_resources"),
    ("oqr", "Testing Strategy", "chapter", "Testing Strategy:section:doc_testing"),
    ("oqr", "Contingency planning for high-impact scenarios", "question", "risk_contingency"),
    ("oqr", "Detailed staffing plan with skill requirements", "question", "res_staffing_plan"),
    (
        "oqr",
        "Security resource allocation (minimum 8% of effort)",
        "question",
        "res_security_allocation",
    ),
    ("oqr", "Partner resource management (if applicable)", "question", "res_partner_management"),
    ("oqr", "Comprehensive testing approach across all levels", "question", "test_approach"),
    ("oqr", "User acceptance testing procedures", "question", "test_uat"),
    ("oqr", "Operational readiness reviews", "question", "test_operational_readiness"),
    # seed 000: quality gates
    ("oqr", "Pre-Implementation Review", "gate", "pre_implementation"),
    ("oqr", "Implementation Checkpoints", "gate", "implementation_checkpoints"),
    ("oqr", "Post-Implementation Validation", "gate", "post_implementation"),
    (
        "oqr",
        "All high-risk patterns identified and addressed",
        "item",
        "gate_pre_implementation.high_risks_addressed",
    ),
    (
        "oqr",
        "Customer business outcomes documented and validated",
        "item",
        "gate_pre_implementation.cbos_validated",
    ),
    (
        "oqr",
        "Technical architecture reviewed and approved",
        "item",
        "gate_pre_implementation.architecture_approved",
    ),
    (
        "oqr",
        "Security controls designed and validated",
        "item",
        "gate_pre_implementation.security_controls_validated",
    ),
    (
        "oqr",
        "Resource allocation confirmed and committed",
        "item",
        "gate_pre_implementation.resources_committed",
    ),
    (
        "oqr",
        "Regular progress reviews against quality framework",
        "item",
        "gate_implementation_checkpoints.progress_reviews",
    ),
    (
        "oqr",
        "Risk mitigation effectiveness monitoring",
        "item",
        "gate_implementation_checkpoints.mitigation_monitoring",
    ),
    (
        "oqr",
        "Stakeholder communication and feedback loops",
        "item",
        "gate_implementation_checkpoints.feedback_loops",
    ),
    (
        "oqr",
        "Quality metrics tracking and reporting",
        "item",
        "gate_implementation_checkpoints.metrics_tracking",
    ),
    (
        "oqr",
        "Customer business outcomes achievement verification",
        "item",
        "gate_post_implementation.cbos_achieved",
    ),
    (
        "oqr",
        "Technical deliverable quality assessment",
        "item",
        "gate_post_implementation.deliverable_quality",
    ),
    ("oqr", "Security posture validation", "item", "gate_post_implementation.security_posture"),
    (
        "oqr",
        "Lessons learned documentation and sharing",
        "item",
        "gate_post_implementation.lessons_learned",
    ),
    # seed 000: escalation
    (
        "oqr",
        "Multiple high-risk patterns present simultaneously",
        "escalation",
        "multiple_high_risks",
    ),
    (
        "oqr",
        "Requirements conflict with security or compliance",
        "escalation",
        "requirements_conflict_security",
    ),
    (
        "oqr",
        "Resource constraints impact quality delivery",
        "escalation",
        "resource_constraints_impact_quality",
    ),
    ("oqr", "Technical feasibility concerns", "escalation", "technical_feasibility_concerns"),
    (
        "oqr",
        "Stakeholder alignment cannot be achieved",
        "escalation",
        "stakeholder_alignment_blocked",
    ),
    # seed 000: success metrics
    ("oqr", "Quality Score (target 90/100)", "target", "90"),
    ("oqr", "Risk Mitigation percentage", "chapter", "Summary:summary"),
    ("oqr", "Customer Satisfaction", "question", "metric_csat"),
    ("oqr", "Delivery Performance on time", "question", "metric_on_time"),
    ("oqr", "Delivery Performance on budget", "question", "metric_on_budget"),
    ("oqr", "Security Incidents (target 0)", "question", "metric_security_incidents"),
    # seed 001: PESA
    ("pesa", "Pre-Engagement Security Assessment required for all SOWs", "gate", "sow_ready"),
    ("pesa", "Proper resource allocation for security controls", "flag", "missing_security"),
    (
        "pesa",
        "Contract considerations for secure engagement",
        "question",
        "contract_security_clauses",
    ),
    *[
        ("pesa", f"ADS {c}", "question", c)
        for c in [
            "ads_data_protection",
            "ads_industry_standards",
            "ads_risk_minimization",
            "ads_compliance",
        ]
    ],
    # seeds 001/002: S2D phase
    ("s2d", "Seamless Customer Experience", "item", "s2d_objectives.seamless_experience"),
    ("s2d", "Accelerated Delivery", "item", "s2d_objectives.accelerated_delivery"),
    ("s2d", "Consistent Governance", "item", "s2d_objectives.consistent_governance"),
    ("s2d", "Knowledge Transfer", "item", "s2d_objectives.knowledge_transfer"),
    ("s2d", "Risk Mitigation", "item", "s2d_objectives.risk_mitigation"),
    ("s2d", "Customer History Review", "question", "customer_history"),
    ("s2d", "Stakeholder Mapping", "question", "stakeholder_map"),
    ("s2d", "Goals Alignment", "question", "goals_aligned"),
    ("s2d", "Risk Assessment: known issues and mitigations", "question", "known_risks"),
    ("s2d", "Team Introductions", "question", "team_introductions_done"),
    ("s2d", "Reduced Business Risk / ESG / Revenue / Efficiency", "question", "business_outcomes"),
    ("s2d", "ProServe Sales", "question", "oneteam_proserve_sales"),
    ("s2d", "ProServe Delivery", "question", "oneteam_proserve_delivery"),
    ("s2d", "Managers", "question", "oneteam_managers"),
    ("s2d", "Leadership", "question", "oneteam_leadership"),
    ("s2d", "Knowledge and artifact transfer", "question", "artifacts_transferred"),
    (
        "s2d",
        "Delivery team has complete understanding of customer context",
        "item",
        "s2d_success.context_understood",
    ),
    (
        "s2d",
        "All stakeholders are aligned on objectives and approach",
        "item",
        "s2d_success.stakeholders_aligned",
    ),
    (
        "s2d",
        "Communication protocols are established",
        "item",
        "s2d_success.communication_protocols",
    ),
    (
        "s2d",
        "Risk mitigation strategies are in place",
        "item",
        "s2d_success.risk_mitigation_in_place",
    ),
    (
        "s2d",
        "Customer confidence in delivery team is established",
        "item",
        "s2d_success.customer_confidence",
    ),
    ("s2d", "S2D success criteria as a gate", "gate", "s2d_success_criteria"),
    ("s2d", "Team Onboarding", "item", "sprint0_checklist.team_onboarding"),
    ("s2d", "Governance Setup", "item", "sprint0_checklist.governance_setup"),
    ("s2d", "Tooling Configuration", "item", "sprint0_checklist.tooling_configuration"),
    ("s2d", "Process Definition", "item", "sprint0_checklist.process_definition"),
    ("s2d", "Risk Planning", "item", "sprint0_checklist.risk_planning"),
    ("s2d", "Project Charter", "item", "kickoff_requirements.project_charter"),
    ("s2d", "Team Introductions (kickoff)", "item", "kickoff_requirements.team_introductions"),
    ("s2d", "Communication Plan", "item", "kickoff_requirements.communication_plan"),
    ("s2d", "Timeline Review", "item", "kickoff_requirements.timeline_review"),
    ("s2d", "Success Metrics", "item", "kickoff_requirements.success_metrics"),
    ("s2d", "two weeks prior to customer kickoff", "flag", "short_sprint0"),
    ("s2d", "no decision maker identified", "flag", "no_decision_maker"),
    ("s2d", "no measurable outcome", "flag", "no_outcomes"),  # issue 33: replaced it
    # seed 003: OKR intake
    ("okr-intake", "Problem or challenge addressed", "question", "problem"),
    ("okr-intake", "Potential value", "question", "potential_value"),
    ("okr-intake", "Metric(s) and thresholds", "question", "target_metrics"),
    (
        "okr-intake",
        "Success / Partial Success / No Impact / Negative Impact",
        "column",
        "target_metrics.success,partial_success,no_impact,negative_impact",
    ),
    ("okr-intake", "Suggested solution", "question", "suggested_solution"),
    ("okr-intake", "Which GTM-D OKR(s)", "question", "okrs_served"),
    ("okr-intake", "Which team(s) are involved", "question", "teams_involved"),
    ("okr-intake", "Does this fit into their team objectives", "question", "fits_team_objectives"),
    ("okr-intake", "Bandwidth this Q", "question", "bandwidth_this_quarter"),
    ("okr-intake", "Bandwidth this H", "question", "bandwidth_this_half"),
    ("okr-intake", "Add to the correct backlog", "question", "added_to_backlog"),
    ("okr-intake", "Priority Must/Should/Could/Won't", "question", "priority"),
    ("okr-plan", "RACI Completion", "question", "raci"),
    ("okr-plan", "Level of effort", "question", "level_of_effort"),
    ("okr-plan", "Amount of time", "question", "time_weeks"),
    ("okr-plan", "Required resources: people", "question", "people_required"),
    ("okr-plan", "Required resources: money", "question", "budget_usd"),
    (
        "okr-plan",
        "Project Management Tool: attach project",
        "item",
        "measurement_prep.project_tool_linked",
    ),
    ("okr-plan", "RevOps: create report", "item", "measurement_prep.revops_report"),
    (
        "okr-plan",
        "BI Tool: confirm metric availability and milestones",
        "item",
        "measurement_prep.bi_metric_confirmed",
    ),
    ("okr-plan", "Final Approval MD/VP Sign Off", "signoff", "md_vp"),
    (
        "okr-plan",
        "Stakeholder Kick-off Session: timelines, expectations, tasks",
        "question",
        "kickoff_timelines",
    ),
    ("okr-plan", "Sprints scheduled and agreed", "question", "sprints_agreed"),
    ("okr-review", "Wrap Up and Qualitative Summary", "question", "qualitative_summary"),
    (
        "okr-review",
        "Incorporation of project history into metrics review",
        "question",
        "causation_checked",
    ),
    ("okr-plan", "Measurement checkpoints (the plan's dates)", "question", "checkpoints"),
    ("okr-review", "Review of results at measurement checkpoints", "question", "observed"),
    ("okr-review", "Which metrics have hit the thresholds", "flag", "negative_impact"),
    ("okr-review", "Retrospective once, at the last checkpoint", "question", "final"),
    ("okr-intake", "Priority Won't Do cannot be approved", "gate", "priority_approvable"),
    ("okr-plan", "Final approval needs measurement preparation", "gate", "measurement_ready"),
    ("okr-review", "Retrospective: success? failure?", "question", "retrospective_outcome"),
    ("okr-review", "Do more like it? Never do it again?", "question", "retrospective_next"),
    ("okr-review", "Short summary delivered to leadership", "question", "leadership_summary"),
    ("okr-plan", "No Accountable", "flag", "raci_accountable"),
    ("okr-intake", "Thresholds missing", "flag", "thresholds_missing"),
    ("okr-intake", "Thresholds out of order", "flag", "thresholds_out_of_order"),
    ("okr-intake", "No metric available in BI", "flag", "metric_not_in_bi"),
]

_LOADED: dict[str, Questionnaire] = {}


def questionnaire(name: str) -> Questionnaire:
    if name not in _LOADED:
        _LOADED[name] = load_questionnaire(ROOT / "questionnaires" / f"{name}.yaml")
    return _LOADED[name]


def exists(q: Questionnaire, kind: str, ident: str) -> bool:
    if kind == "question":
        return q.question(ident) is not None
    if kind == "item":
        qid, item = ident.split(".")
        found = q.question(qid)
        return found is not None and item in {i.id for i in found.items}
    if kind == "column":
        qid, columns = ident.split(".")
        found = q.question(qid)
        return found is not None and set(columns.split(",")) <= {c.id for c in found.columns}
    if kind == "target":
        return q.target == float(ident)
    if kind == "chapter":  # a plan chapter titled so shows this (the summary: risks mitigated)
        title, _, shown = ident.partition(":")
        return any(c.title == title and shown in c.show for c in q.plan or [])
    kinds = {
        "dimension": q.dimensions,
        "flag": q.risks,
        "gate": q.gates,
        "escalation": q.escalation,
        "signoff": q.signoff,
    }
    return ident in {x.id for x in kinds[kind]}


@pytest.mark.parametrize(
    ("name", "seed_item", "kind", "ident"), COVERAGE, ids=[f"{c[0]}:{c[3]}" for c in COVERAGE]
)
def test_seed_item_is_carried(name: str, seed_item: str, kind: str, ident: str) -> None:
    assert exists(questionnaire(name), kind, ident), f"{seed_item!r} is not in {name}"


def test_each_dimension_has_four_criteria() -> None:
    q = questionnaire("oqr")
    for dimension in q.dimensions:
        criteria = [x for x in q.questions() if x.dimension == dimension.id]
        assert len(criteria) == 4, dimension.id
        assert all(len(x.scale_labels()) == 5 for x in criteria)


def test_gate_sizes() -> None:
    gates = {g.id: len(g.items) for g in questionnaire("oqr").gates}
    assert gates == {
        "pre_implementation": 5,
        "implementation_checkpoints": 4,
        "post_implementation": 4,
    }


def test_pesa_shares_oqr_fact_ids() -> None:
    oqr, pesa = questionnaire("oqr"), questionnaire("pesa")
    for ident in [
        "production_access",
        "regulated_data",
        "custom_ai_ml",
        "total_hours",
        "security_hours",
    ]:
        a, b = oqr.question(ident), pesa.question(ident)
        assert a is not None and b is not None and a.type == b.type
    oqr_technical = {r.id for r in oqr.risks}
    assert len([r for r in pesa.risks if r.id not in oqr_technical]) >= 8
