"""Every constant of the domain, as TextChoices. Values are part of the platform contract."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_MODERATOR = "platform_moderator", _("Moderator platform")
    KPU_CLARIFIER = "kpu_clarifier", _("Klarifikator KPU")
    KPU_APPROVER = "kpu_approver", _("Penyetuju KPU")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class OrganisationKind(models.TextChoices):
    KPU = "kpu", _("KPU")
    PLATFORM = "platform", _("Platform")
    BAWASLU = "bawaslu", _("Bawaslu")
    OTHER = "other", _("Lainnya")


class Reason(models.TextChoices):
    HOAX = "hoax", _("Hoaks")
    DISINFORMATION = "disinformation", _("Disinformasi")
    DEFAMATION = "defamation", _("Fitnah")
    HATE_SPEECH = "hate_speech", _("Ujaran kebencian")
    SARA = "sara", _("SARA")
    INCITEMENT = "incitement", _("Hasutan")
    QUIET_PERIOD_CAMPAIGN = "quiet_period_campaign", _("Kampanye di masa tenang")
    OFFICIAL_IMPERSONATION = "official_impersonation", _("Peniruan pejabat/lembaga")
    VOTER_SUPPRESSION = "voter_suppression", _("Penghalangan pemilih")
    CIVIL_SERVANT_PARTISANSHIP = "civil_servant_partisanship", _("ASN tidak netral")
    OTHER = "other", _("Lainnya")


class ReasonGroup(models.TextChoices):
    """Reasons grouped the way the standard queues split the work."""

    FALSE_INFORMATION = "false_information", _("Informasi palsu")
    HATE_AND_HOSTILITY = "hate_and_hostility", _("Kebencian dan permusuhan")
    ELECTION_INTEGRITY = "election_integrity", _("Integritas pemilu")
    OTHER = "other", _("Lainnya")


REASON_GROUPS: dict[str, str] = {
    Reason.HOAX: ReasonGroup.FALSE_INFORMATION,
    Reason.DISINFORMATION: ReasonGroup.FALSE_INFORMATION,
    Reason.DEFAMATION: ReasonGroup.FALSE_INFORMATION,
    Reason.HATE_SPEECH: ReasonGroup.HATE_AND_HOSTILITY,
    Reason.SARA: ReasonGroup.HATE_AND_HOSTILITY,
    Reason.INCITEMENT: ReasonGroup.HATE_AND_HOSTILITY,
    Reason.QUIET_PERIOD_CAMPAIGN: ReasonGroup.ELECTION_INTEGRITY,
    Reason.OFFICIAL_IMPERSONATION: ReasonGroup.ELECTION_INTEGRITY,
    Reason.VOTER_SUPPRESSION: ReasonGroup.ELECTION_INTEGRITY,
    Reason.CIVIL_SERVANT_PARTISANSHIP: ReasonGroup.ELECTION_INTEGRITY,
    Reason.OTHER: ReasonGroup.OTHER,
}


class FlagSource(models.TextChoices):
    USER_REPORT = "user_report", _("Laporan pengguna")
    AUTOMATED = "automated", _("Deteksi otomatis")
    TRUSTED_FLAGGER = "trusted_flagger", _("Pelapor tepercaya")
    KPU = "kpu", _("KPU")


class CaseStatus(models.TextChoices):
    NEW = "new", _("Baru")
    IN_REVIEW = "in_review", _("Sedang ditinjau")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Menunggu klarifikasi KPU")
    DECIDED = "decided", _("Diputuskan")
    APPEALED = "appealed", _("Banding")
    CLOSED = "closed", _("Ditutup")


# A video has at most one case in these statuses at a time (a partial unique index).
OPEN_CASE_STATUSES: tuple[str, ...] = (
    CaseStatus.NEW,
    CaseStatus.IN_REVIEW,
    CaseStatus.AWAITING_CLARIFICATION,
    CaseStatus.APPEALED,
)
# A moderator may claim a case in these statuses (an appeal is claimed for its second review).
CLAIMABLE_STATUSES: tuple[str, ...] = (CaseStatus.NEW, CaseStatus.APPEALED)
# A claimed case in these statuses can be decided.
DECIDABLE_STATUSES: tuple[str, ...] = (CaseStatus.IN_REVIEW, CaseStatus.APPEALED)


class CaseEvent(models.TextChoices):
    """What can happen to a case. transitions.py maps (status, event) to the next status."""

    CLAIM = "claim", _("Diklaim")
    RELEASE = "release", _("Dilepas")
    LEASE_EXPIRE = "lease_expire", _("Masa klaim habis")
    ESCALATE_TO_KPU = "escalate_to_kpu", _("Diteruskan ke KPU")
    CLARIFICATION_ATTACH = "clarification_attach", _("Klarifikasi dilampirkan")
    DECIDE = "decide", _("Diputuskan")
    DECISION_HOLD = "decision_hold", _("Keputusan menunggu persetujuan")
    DECISION_APPROVE = "decision_approve", _("Keputusan disetujui")
    DECISION_REJECT = "decision_reject", _("Keputusan ditolak")
    APPEAL = "appeal", _("Banding diajukan")
    FLAG_JOIN = "flag_join", _("Laporan baru bergabung")
    CLOSE = "close", _("Ditutup")


class PrioritySignal(models.TextChoices):
    """The lines of a case's priority breakdown (priority.py), each a signal a supervisor sees."""

    REACH = "reach", _("Jangkauan")
    GROWTH = "growth", _("Pertumbuhan")
    FLAGS = "flags", _("Jumlah laporan")
    SOURCE = "source", _("Sumber laporan")
    SEVERITY = "severity", _("Tingkat keparahan")
    PHASE = "phase", _("Tahapan pemilu")
    SLA = "sla", _("Tenggat SLA")


class CaseAction(models.TextChoices):
    """What a person can do to a case; permissions.case_actions says who may, and when."""

    CLAIM = "claim", _("Ambil")
    DECIDE = "decide", _("Putuskan")
    RELEASE = "release", _("Lepas")
    SKIP = "skip", _("Lewati")
    ESCALATE = "escalate", _("Teruskan ke KPU")
    REASSIGN = "reassign", _("Alihkan")
    APPROVE_DECISION = "approve_decision", _("Setujui keputusan")
    REJECT_DECISION = "reject_decision", _("Tolak keputusan")
    ATTACH_CLARIFICATION = "attach_clarification", _("Lampirkan klarifikasi")
    CLOSE = "close", _("Tutup")


class ReopenTrigger(models.TextChoices):
    """Why a new flag on a decided or closed case opens a new case (intake/rules.py)."""

    NEW_REASON = "new_reason", _("Alasan baru")
    TRUSTED_SOURCE = "trusted_source", _("Pelapor tepercaya atau KPU")
    REACH_GROWTH = "reach_growth", _("Jangkauan bertambah")


class CloseReason(models.TextChoices):
    VIDEO_REMOVED_BY_AUTHOR = "video_removed_by_author", _("Video dihapus pembuat")
    VIDEO_REMOVED_BY_PLATFORM = "video_removed_by_platform", _("Video dihapus platform")
    DUPLICATE = "duplicate", _("Duplikat")
    SUPERSEDED = "superseded", _("Digantikan kasus baru")
    OTHER = "other", _("Lainnya")


class Action(models.TextChoices):
    NO_ACTION = "no_action", _("Tanpa tindakan")
    LABEL = "label", _("Beri label")
    REDUCE_REACH = "reduce_reach", _("Kurangi jangkauan")
    RESTRICT_REGION = "restrict_region", _("Batasi wilayah")
    REMOVE = "remove", _("Hapus")
    ESCALATE = "escalate", _("Eskalasi")


# Actions that may need a second pair of eyes (reach threshold or a political author).
HIGH_IMPACT_ACTIONS: tuple[str, ...] = (Action.REMOVE, Action.RESTRICT_REGION)


class Ground(models.TextChoices):
    COMMUNITY_GUIDELINES = "community_guidelines", _("Pedoman komunitas")
    ELECTION_LAW = "election_law", _("UU Pemilu / PKPU")
    COURT_ORDER = "court_order", _("Perintah pengadilan")
    OTHER = "other", _("Lainnya")


class AutomatedDecision(models.TextChoices):
    """DSA statement of reasons: was the decision itself automated?"""

    NOT_AUTOMATED = "not_automated", _("Tidak otomatis")
    PARTIALLY = "partially", _("Sebagian otomatis")
    FULLY = "fully", _("Sepenuhnya otomatis")


class ApprovalState(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Tidak perlu persetujuan")
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")


class ClarificationRating(models.TextChoices):
    FALSE = "false", _("Salah")
    MISLEADING = "misleading", _("Menyesatkan")
    MISSING_CONTEXT = "missing_context", _("Kurang konteks")
    TRUE = "true", _("Benar")


class ClarificationStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    IN_REVIEW = "in_review", _("Dalam tinjauan")
    PUBLISHED = "published", _("Terbit")
    RETRACTED = "retracted", _("Ditarik")


class ClarificationEvent(models.TextChoices):
    """What can happen to a clarification; transitions.py maps (status, event) to the next."""

    SUBMIT = "submit", _("Diajukan")
    RETURN = "return", _("Dikembalikan ke penulis")
    PUBLISH = "publish", _("Diterbitkan")
    RETRACT = "retract", _("Ditarik")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Terbuka")
    DECIDED = "decided", _("Diputuskan")


class PhaseKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Masa kampanye")
    QUIET_PERIOD = "quiet_period", _("Masa tenang")
    VOTING_DAY = "voting_day", _("Hari pemungutan suara")
    TABULATION = "tabulation", _("Rekapitulasi")
    OTHER = "other", _("Lainnya")


class SubjectKind(models.TextChoices):
    """What a case's content can concern, for the neutrality view."""

    CANDIDATE_PAIR = "candidate_pair", _("Pasangan calon")
    PARTY = "party", _("Partai politik")
    CANDIDATE = "candidate", _("Calon")


class RawEventStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    PROCESSED = "processed", _("Diproses")
    IGNORED = "ignored", _("Diabaikan")
    FAILED = "failed", _("Gagal")


class WebhookEventType(models.TextChoices):
    FLAG_CREATED = "flag.created", "flag.created"
    VIDEO_UPDATED = "video.updated", "video.updated"
    VIDEO_REMOVED = "video.removed", "video.removed"
    APPEAL_CREATED = "appeal.created", "appeal.created"


class CallbackEventType(models.TextChoices):
    DECISION_RECORDED = "decision.recorded", "decision.recorded"
    CLARIFICATION_PUBLISHED = "clarification.published", "clarification.published"
    CLARIFICATION_RETRACTED = "clarification.retracted", "clarification.retracted"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    DELIVERED = "delivered", _("Terkirim")
    FAILED = "failed", _("Gagal")
    PAUSED = "paused", _("Dijeda")


class ActorKind(models.TextChoices):
    USER = "user", _("Pengguna")
    SYSTEM = "system", _("Sistem")
    PLATFORM = "platform", _("Platform")


class AuditAction(models.TextChoices):
    CASE_OPEN = "case.open", _("Kasus dibuka")
    CASE_REOPEN = "case.reopen", _("Kasus dibuka kembali")
    CASE_FLAG_JOIN = "case.flag_join", _("Laporan bergabung ke kasus")
    CASE_CLAIM = "case.claim", _("Kasus diklaim")
    CASE_RELEASE = "case.release", _("Kasus dilepas")
    CASE_LEASE_RENEW = "case.lease_renew", _("Klaim diperpanjang")
    CASE_LEASE_EXPIRE = "case.lease_expire", _("Klaim kedaluwarsa")
    CASE_REASSIGN = "case.reassign", _("Kasus dialihkan")
    CASE_SKIP = "case.skip", _("Kasus dilewati")
    CASE_ESCALATE_TO_KPU = "case.escalate_to_kpu", _("Kasus diteruskan ke KPU")
    CASE_CLOSE = "case.close", _("Kasus ditutup")
    CASE_PRIORITY_UPDATE = "case.priority_update", _("Prioritas diperbarui")
    DECISION_RECORD = "decision.record", _("Keputusan dicatat")
    DECISION_HOLD = "decision.hold", _("Keputusan ditahan untuk persetujuan")
    DECISION_APPROVE = "decision.approve", _("Keputusan disetujui")
    DECISION_REJECT = "decision.reject", _("Keputusan ditolak")
    APPEAL_OPEN = "appeal.open", _("Banding dibuka")
    CLARIFICATION_CREATE = "clarification.create", _("Klarifikasi dibuat")
    CLARIFICATION_UPDATE = "clarification.update", _("Klarifikasi diubah")
    CLARIFICATION_SUBMIT = "clarification.submit", _("Klarifikasi diajukan")
    CLARIFICATION_RETURN = "clarification.return", _("Klarifikasi dikembalikan ke penulis")
    CLARIFICATION_PUBLISH = "clarification.publish", _("Klarifikasi diterbitkan")
    CLARIFICATION_RETRACT = "clarification.retract", _("Klarifikasi ditarik")
    CLARIFICATION_ATTACH = "clarification.attach", _("Klarifikasi dilampirkan")
    PLATFORM_ADD = "platform.add", _("Platform ditambahkan")
    PLATFORM_UPDATE = "platform.update", _("Platform diubah")
    PLATFORM_SECRET_ROTATE = "platform.secret_rotate", _("Rahasia platform dirotasi")
    PLATFORM_CALLBACK_DISABLE = "platform.callback_disable", _("Callback platform dimatikan")
    PLATFORM_CALLBACK_ENABLE = "platform.callback_enable", _("Callback platform dinyalakan")
    DELIVERY_RESEND = "delivery.resend", _("Pengiriman diulang")
    WEBHOOK_REJECT = "webhook.reject", _("Webhook ditolak")
    VIDEO_REMOVE = "video.remove", _("Video dihapus")
    QUEUE_CREATE = "queue.create", _("Antrean dibuat")
    QUEUE_UPDATE = "queue.update", _("Antrean diubah")
    ELECTION_PHASE_SAVE = "election_phase.save", _("Tahapan pemilu disimpan")
    ELECTION_PHASE_DELETE = "election_phase.delete", _("Tahapan pemilu dihapus")
    SLA_TARGET_SAVE = "sla_target.save", _("Target SLA disimpan")
    SLA_TARGET_DELETE = "sla_target.delete", _("Target SLA dihapus")
    TUNING_SAVE = "tuning.save", _("Parameter penyetelan disimpan")
    TUNING_DELETE = "tuning.delete", _("Parameter penyetelan dihapus")
    VIDEO_POLITICAL_AUTHOR = "video.political_author", _("Status akun politik video diubah")
    USER_SIGN_IN = "user.sign_in", _("Masuk")
    USER_SIGN_OUT = "user.sign_out", _("Keluar")
    USER_SIGN_IN_FAIL = "user.sign_in_fail", _("Gagal masuk")
    USER_LOCKOUT = "user.lockout", _("Akun dikunci sementara")
    USER_ROLES_CHANGE = "user.roles_change", _("Peran pengguna diubah")
    USER_ORGANISATION_CHANGE = "user.organisation_change", _("Organisasi pengguna diubah")
    USER_LANGUAGE_SET = "user.language_set", _("Bahasa pengguna diubah")
    NOTIFICATION_READ = "notification.read", _("Notifikasi dibaca")
    NOTIFICATION_PREFERENCE_SET = "notification_preference.set", _("Preferensi notifikasi diubah")
    MODERATOR_PREFERENCE_SET = "moderator_preference.set", _("Preferensi ruang kerja diubah")
    ADMIN_ADD = "admin.add", _("Ditambahkan lewat admin")
    ADMIN_CHANGE = "admin.change", _("Diubah lewat admin")
    ADMIN_DELETE = "admin.delete", _("Dihapus lewat admin")
    AUDIT_EXPORT = "audit.export", _("Log audit diekspor")
    CASE_SUBJECTS_SET = "case.subjects_set", _("Peserta pemilu pada kasus diubah")
    ELECTORAL_SUBJECT_SAVE = "electoral_subject.save", _("Peserta pemilu disimpan")
    ELECTORAL_SUBJECT_DELETE = "electoral_subject.delete", _("Peserta pemilu dihapus")
    TRANSPARENCY_EXPORT = "transparency.export", _("Pernyataan alasan diekspor")
    USER_ADD = "user.add", _("Pengguna ditambahkan")
    USER_DISABLE = "user.disable", _("Pengguna dinonaktifkan")
    USER_OTP_RESET = "user.otp_reset", _("Faktor kedua pengguna diatur ulang")


class AuditExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"


class SkipReason(models.TextChoices):
    """Why a moderator hands a claimed case back without deciding it."""

    LANGUAGE = "language", _("Bahasa tidak saya kuasai")
    NEEDS_EXPERTISE = "needs_expertise", _("Perlu keahlian khusus")
    CONFLICT_OF_INTEREST = "conflict_of_interest", _("Konflik kepentingan")
    VIDEO_UNAVAILABLE = "video_unavailable", _("Video tidak dapat diputar")
    OTHER = "other", _("Lainnya")


class NotificationKind(models.TextChoices):
    CASE_ROUTED_TO_KPU = "case_routed_to_kpu", _("Kasus diteruskan ke KPU")
    DECISION_AWAITING_APPROVAL = "decision_awaiting_approval", _("Keputusan menunggu persetujuan")
    SLA_WARNING = "sla_warning", _("Kasus mendekati tenggat SLA")
    SLA_BREACHED = "sla_breached", _("Kasus melewati tenggat SLA")
    APPEAL_RECEIVED = "appeal_received", _("Banding diterima")
    DELIVERY_FAILED = "delivery_failed", _("Callback gagal terkirim")
    CALLBACK_DISABLED = "callback_disabled", _("Callback platform dimatikan")
    CLARIFICATION_SUBMITTED = "clarification_submitted", _("Klarifikasi menunggu persetujuan")
    CLARIFICATION_RETURNED = "clarification_returned", _("Klarifikasi dikembalikan ke penulis")
    AUDIT_LOG_BROKEN = "audit_log_broken", _("Rantai segel log audit rusak")
    DECISION_APPROVED = "decision_approved", _("Keputusan Anda disetujui")
    DECISION_REJECTED = "decision_rejected", _("Keputusan Anda ditolak")
    ESCALATION_ANSWERED = "escalation_answered", _("KPU menjawab kasus yang Anda teruskan")


class NotificationChannel(models.TextChoices):
    """How a user wants one kind of notification."""

    IN_APP = "in_app", _("Hanya di aplikasi")
    EMAIL_NOW = "email_now", _("Email segera")
    DAILY_DIGEST = "daily_digest", _("Ringkasan harian (08.00 WIB)")


class NotificationEmailState(models.TextChoices):
    NONE = "none", _("Tanpa email")
    WAITING = "waiting", _("Menunggu siklus kirim")
    DIGEST = "digest", _("Menunggu ringkasan harian")
    QUEUED = "queued", _("Masuk email")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class EmailKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Segera")
    DIGEST = "digest", _("Ringkasan harian")
