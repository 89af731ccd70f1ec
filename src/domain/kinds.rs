//! The closed vocabularies of SPEC section 2: roles, actor kinds, document and verification
//! kinds, decline reasons. Each has the same spelling in Postgres (a CHECK constraint), in
//! the API and in the templates.

use super::string_enum;

string_enum! {
    /// A dashboard user's role; each includes nothing of the others (SPEC section 5).
    pub enum Role {
        Reviewer => "reviewer",
        Manager => "manager",
        Admin => "admin",
    }
}

string_enum! {
    /// Who did something: a dashboard user, an integrator's API key, the applicant (through a
    /// capture link), or Session Desk itself.
    pub enum ActorType {
        User => "user",
        ApiKey => "api_key",
        System => "system",
        Applicant => "applicant",
    }
}

string_enum! {
    /// An integrator's account status.
    pub enum AccountStatus {
        Active => "active",
        Pending => "pending",
        Inactive => "inactive",
        Suspended => "suspended",
    }
}

string_enum! {
    /// The outcome of a reviewer's decision.
    pub enum Outcome {
        Approved => "approved",
        Declined => "declined",
    }
}

string_enum! {
    /// Why a session was declined (SPEC section 1).
    pub enum DeclineReason {
        DocumentUnreadable => "document_unreadable",
        DocumentExpired => "document_expired",
        DocumentSuspectedFraud => "document_suspected_fraud",
        DataMismatch => "data_mismatch",
        Underage => "underage",
        Duplicate => "duplicate",
        SanctionsOrWatchlist => "sanctions_or_watchlist",
        Other => "other",
    }
}

impl DeclineReason {
    /// A reviewer-facing label.
    pub fn label(self) -> &'static str {
        match self {
            DeclineReason::DocumentUnreadable => "Document unreadable",
            DeclineReason::DocumentExpired => "Document expired",
            DeclineReason::DocumentSuspectedFraud => "Suspected fraudulent document",
            DeclineReason::DataMismatch => "Data does not match the document",
            DeclineReason::Underage => "Applicant under age",
            DeclineReason::Duplicate => "Duplicate applicant",
            DeclineReason::SanctionsOrWatchlist => "Sanctions or watchlist hit",
            DeclineReason::Other => "Other",
        }
    }
}

string_enum! {
    /// Why a reviewer marked a session for review: a fixed list of codes, so that the
    /// `session.marked_for_review` event never carries free text that could quote the
    /// applicant. The queue and the timeline show each code in words ([`ReviewReason::label`]).
    pub enum ReviewReason {
        Glare => "glare",
        BlurryPhoto => "blurry_photo",
        DataMismatch => "data_mismatch",
        DocumentExpired => "document_expired",
        SuspectedFraud => "suspected_fraud",
        NeedsSecondOpinion => "needs_second_opinion",
        Other => "other",
    }
}

impl ReviewReason {
    /// The code in a reviewer's words, as the queue row ("marked for review by Lena:
    /// glare on the document") and the form's list show it.
    pub fn label(self) -> &'static str {
        match self {
            ReviewReason::Glare => "glare on the document",
            ReviewReason::BlurryPhoto => "blurry photo",
            ReviewReason::DataMismatch => "data does not match the document",
            ReviewReason::DocumentExpired => "document expired",
            ReviewReason::SuspectedFraud => "suspected fraud",
            ReviewReason::NeedsSecondOpinion => "needs a second opinion",
            ReviewReason::Other => "other",
        }
    }
}

string_enum! {
    /// The two families of documents.
    pub enum DocumentKind {
        Idv => "document/idv",
        Address => "document/address",
    }
}

string_enum! {
    /// A document's type; each belongs to one [`DocumentKind`].
    pub enum DocumentType {
        Passport => "passport",
        DriversLicense => "drivers_license",
        NationalId => "national_id",
        ResidencePermit => "residence_permit",
        UtilityBill => "utility_bill",
        BankStatement => "bank_statement",
        TaxDocument => "tax_document",
        GovernmentLetter => "government_letter",
    }
}

impl DocumentType {
    /// The kind this type belongs to.
    pub fn kind(self) -> DocumentKind {
        match self {
            DocumentType::Passport
            | DocumentType::DriversLicense
            | DocumentType::NationalId
            | DocumentType::ResidencePermit => DocumentKind::Idv,
            _ => DocumentKind::Address,
        }
    }

    /// The type as the case page titles a document ("drivers license").
    pub fn label(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::DriversLicense => "drivers license",
            DocumentType::NationalId => "national id",
            DocumentType::ResidencePermit => "residence permit",
            DocumentType::UtilityBill => "utility bill",
            DocumentType::BankStatement => "bank statement",
            DocumentType::TaxDocument => "tax document",
            DocumentType::GovernmentLetter => "government letter",
        }
    }

    /// The class of the identity number an ID document of this type carries; `None` for
    /// address documents.
    pub fn identity_class(self) -> Option<IdentityClass> {
        match self {
            DocumentType::Passport => Some(IdentityClass::Passport),
            DocumentType::DriversLicense => Some(IdentityClass::DriversLicense),
            DocumentType::NationalId => Some(IdentityClass::NationalId),
            DocumentType::ResidencePermit => Some(IdentityClass::ResidencePermit),
            DocumentType::UtilityBill
            | DocumentType::BankStatement
            | DocumentType::TaxDocument
            | DocumentType::GovernmentLetter => None,
        }
    }
}

string_enum! {
    /// A document's processing state.
    pub enum DocumentStatus {
        Pending => "pending",
        Submitted => "submitted",
        Processing => "processing",
        Processed => "processed",
        Failed => "failed",
    }
}

string_enum! {
    /// Which part of a document a file shows.
    pub enum FileSide {
        Front => "front",
        Back => "back",
        Portrait => "portrait",
        Page => "page",
    }
}

string_enum! {
    /// The two verification kinds; each needs a document of the matching kind.
    pub enum VerificationKind {
        Idv => "verification/idv",
        Address => "verification/address",
    }
}

impl VerificationKind {
    /// The document kind this verification reads.
    pub fn document_kind(self) -> DocumentKind {
        match self {
            VerificationKind::Idv => DocumentKind::Idv,
            VerificationKind::Address => DocumentKind::Address,
        }
    }
}

string_enum! {
    /// A verification's result.
    pub enum VerificationStatus {
        Initiated => "initiated",
        Passed => "passed",
        Failed => "failed",
        RequiresRetry => "requires_retry",
        Canceled => "canceled",
    }
}

string_enum! {
    /// One check's result.
    pub enum CheckStatus {
        Passed => "passed",
        Failed => "failed",
        NotApplicable => "not_applicable",
    }
}

string_enum! {
    /// Whether a check's failure fails the verification.
    pub enum Requirement {
        Required => "required",
        NotRequired => "not_required",
    }
}

string_enum! {
    /// What kind of identity number a session carries.
    pub enum IdentityClass {
        Passport => "passport",
        DriversLicense => "drivers_license",
        NationalId => "national_id",
        ResidencePermit => "residence_permit",
        TaxId => "tax_id",
        SocialSecurity => "social_security",
        Other => "other",
    }
}

impl IdentityClass {
    /// A human label ("drivers license").
    pub fn label(self) -> &'static str {
        match self {
            IdentityClass::Passport => "passport",
            IdentityClass::DriversLicense => "drivers license",
            IdentityClass::NationalId => "national id",
            IdentityClass::ResidencePermit => "residence permit",
            IdentityClass::TaxId => "tax id",
            IdentityClass::SocialSecurity => "social security",
            IdentityClass::Other => "other",
        }
    }
}

string_enum! {
    /// What an API key may do (SPEC section 4).
    pub enum Permission {
        AccountsRead => "accounts:read",
        AccountsWrite => "accounts:write",
        SessionsRead => "sessions:read",
        SessionsWrite => "sessions:write",
        SessionsDecide => "sessions:decide",
        SessionsRedact => "sessions:redact",
        DocumentsWrite => "documents:write",
        VerificationsWrite => "verifications:write",
        WebhooksManage => "webhooks:manage",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_belong_to_their_kind() {
        let idv: Vec<_> = DocumentType::ALL
            .iter()
            .filter(|t| t.kind() == DocumentKind::Idv)
            .collect();
        assert_eq!(idv.len(), 4);
        assert_eq!(DocumentType::UtilityBill.kind(), DocumentKind::Address);
    }

    #[test]
    fn document_and_identity_labels_are_the_spelling_with_spaces() {
        for t in DocumentType::ALL {
            assert_eq!(t.label(), crate::domain::code_words(t.as_str()));
        }
        for c in IdentityClass::ALL {
            assert_eq!(c.label(), crate::domain::code_words(c.as_str()));
        }
    }

    #[test]
    fn unknown_values_name_the_allowed_ones() {
        let err = "maybe".parse::<Outcome>().unwrap_err();
        assert_eq!(err.to_string(), "must be one of: approved, declined");
    }
}
