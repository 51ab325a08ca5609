"""The demo review a first start offers: an OQR with several flags raised."""

from __future__ import annotations

from typing import Any

DEMO_TITLE = "Demo: Northwind data platform (OQR)"
DEMO_ANSWERS: dict[str, Any] = {
    "customer": "Northwind Traders",
    "opportunity": "Data platform modernisation",
    "tcv_usd": 6_200_000,
    "contract_type": "mixed",
    "ffp_value_usd": 1_500_000,
    "risk_premium_pct": 10,
    "total_hours": 12_000,
    "security_hours": 600,
    "partner_hours": 4_000,
    "partner_count": 2,
    "partner_responsibilities_clear": False,
    "production_access": True,
    "regulated_data": ["pii"],
    "custom_ai_ml": False,
    "customer_cloud_production_experience": True,
    "environment_understanding": "partial",
    "documentation_sufficient": True,
    "requirements_clarity": "clear",
    "te_cutting_edge": 3,
    "te_collaborative": 4,
    "pm_on_time_budget": 2,
    "ads_data_protection": 2,
}
