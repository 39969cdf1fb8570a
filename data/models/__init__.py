"""The system of record: SQLAlchemy 2.0 typed models (see data/migrations for the schema history)."""
from .base import UTC, Base, utcnow
from .business import (
    AnnualCheck, Asset, AssetEvent, Bid, Contract, ContractInstalment, ContractReceipt, Disclosure,
    Meeting, Resolution, Resource, TradeListing, Warning, WarningEvent, WarningRun,
)
from .core import (
    AccountRequest, Approval, Attachment, AuditLog, AuditReview, CollectiveOrg, Household, Member, RecordChange,
    Region, Setting, SharingApproval, User, UserSession,
)
from .imports import DataImport
from .basedata import BaseDataChange, VillageProfile
from .sharing import DataApiCall, DataApiKey, DataRequest
from .ops import Backup, NationalSync, RestoreDrill
from .calendar import WorkCalendarSchedule
from .registers import RegisterEntry, RegisterStep
from .disclosure import DisclosureQuestion
from .credit import (
    CreditAuthorisation, CreditImportBatch, CreditPortraitView, CreditRecord, CreditRepayment, CreditScore, CreditSubject,
    ForestEncumbrance, ForestRight,
)
from .credit_f import CreditApplication, CreditCorrection, CreditTransfer
from .credit_e import CreditPush, InspectionPlan, InspectionPlanItem
from .credit_a import CreditRepair as CreditRepair
from .prices import CostObservation, PriceSale
from .runtime import Job, JobLock, SharedEntry
from .ledger import BankAccount, BankStatementImport, BankStatementLine, PaymentRequest, PeriodClose, Voucher, VoucherLine

__all__ = [
    "Job", "JobLock", "SharedEntry",
    "UTC", "Base", "utcnow",
    "AnnualCheck", "Asset", "AssetEvent", "Bid", "Contract", "ContractInstalment", "ContractReceipt",
    "Disclosure", "DisclosureQuestion", "Meeting", "Resolution", "Resource", "TradeListing", "Warning", "WarningEvent",
    "WarningRun",
    "AccountRequest", "Approval", "Attachment", "AuditLog", "AuditReview", "BaseDataChange", "CollectiveOrg", "Household",
    "Member", "RecordChange", "Region", "Setting", "SharingApproval", "User", "UserSession", "VillageProfile",
    "DataImport",
    "DataApiCall", "DataApiKey", "DataRequest",
    "Backup", "NationalSync", "RestoreDrill",
    "WorkCalendarSchedule", "RegisterEntry", "RegisterStep",
    "CreditAuthorisation", "CreditImportBatch", "CreditPortraitView", "CreditRecord", "CreditRepayment", "CreditScore",
    "CreditSubject", "ForestEncumbrance", "ForestRight",
    "CreditApplication", "CreditCorrection", "CreditTransfer",
    "CreditPush", "InspectionPlan", "InspectionPlanItem",
    "CostObservation", "PriceSale",
    "BankAccount", "BankStatementImport", "BankStatementLine", "PaymentRequest", "PeriodClose", "Voucher", "VoucherLine",
]
