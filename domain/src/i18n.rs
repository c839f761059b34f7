//! The message catalogue: rules produce a [`Problem`] (a code with parameters); this module
//! renders it for a field in English or Korean. Field labels live here too, so the editor and
//! the messages call a field by the same name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A language the portal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Korean.
    #[serde(rename = "ko")]
    Ko,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// Picks the language from an `Accept-Language`-style value (`ko-KR,ko;q=0.9,en;q=0.8`):
    /// the first tag we speak wins, English otherwise.
    pub fn negotiate(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| match tag.split('-').next() {
                Some("ko") => Some(Lang::Ko),
                Some("en") => Some(Lang::En),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// A broken rule with its parameters; the code and message are derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum Problem {
    /// The field must be filled in.
    Required,
    /// Text longer than allowed (counted in characters).
    TooLong {
        /// Limit.
        max: usize,
        /// Current length.
        actual: usize,
    },
    /// Not lowercase letters, digits and dashes, or starts/ends with a dash.
    InvalidIdentifier,
    /// Not an e-mail address.
    InvalidEmail,
    /// One entry of an e-mail list is not an address.
    InvalidEmailInList {
        /// The offending entry.
        value: String,
    },
    /// Not a phone number.
    InvalidPhone,
    /// Not a GUID.
    InvalidGuid,
    /// Not `X.Y.Z`.
    InvalidDiskVersion,
    /// Not an absolute URL.
    InvalidUrl,
    /// A URL that must use https does not.
    NotHttps,
    /// Too few entries.
    TooFew {
        /// Minimum.
        min: usize,
        /// Current count.
        actual: usize,
    },
    /// Too many entries.
    TooMany {
        /// Maximum.
        max: usize,
        /// Current count.
        actual: usize,
    },
    /// A value that must be unique appears twice.
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// Not one of the allowed values.
    InvalidChoice {
        /// What is allowed, comma-separated.
        allowed: String,
    },
    /// A number outside its range.
    OutOfRange {
        /// Lowest allowed.
        min: u64,
        /// Highest allowed.
        max: u64,
    },
    /// Data disk LUNs must be 0, 1, 2 … in order.
    LunOutOfOrder {
        /// The LUN this disk must have.
        expected: u32,
    },
    /// Every disk version of a SKU must have the same number of data disks.
    DataDiskCountMismatch {
        /// Count in the first disk version.
        expected: usize,
        /// Count in this one.
        actual: usize,
        /// The disk version the expected count comes from.
        reference: String,
    },
    /// A lead destination this portal no longer accepts.
    UnsupportedLeadDestination,
    /// An HTML tag outside the simple set.
    DisallowedHtmlTag {
        /// The tag name.
        tag: String,
    },
    /// An HTML attribute outside the simple set (event handlers, styles, scripts).
    DisallowedHtmlAttribute {
        /// The attribute name.
        attribute: String,
    },
    /// Not an ISO 3166 alpha-2 code.
    InvalidRegion {
        /// The offending value.
        value: String,
    },
    /// An image with the wrong pixel size.
    WrongImageSize {
        /// Required width.
        width: u32,
        /// Required height.
        height: u32,
        /// Actual width.
        actual_width: u32,
        /// Actual height.
        actual_height: u32,
    },
    /// An image that could not be fetched or read.
    ImageUnreadable {
        /// What went wrong.
        reason: String,
    },
    /// A document of another offer type.
    WrongOfferType {
        /// The type this portal publishes.
        expected: String,
    },
}

impl Problem {
    /// The stable, machine-readable code (`tooLong`, `required` …).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "tooLong",
            Problem::InvalidIdentifier => "invalidIdentifier",
            Problem::InvalidEmail => "invalidEmail",
            Problem::InvalidEmailInList { .. } => "invalidEmailInList",
            Problem::InvalidPhone => "invalidPhone",
            Problem::InvalidGuid => "invalidGuid",
            Problem::InvalidDiskVersion => "invalidDiskVersion",
            Problem::InvalidUrl => "invalidUrl",
            Problem::NotHttps => "notHttps",
            Problem::TooFew { .. } => "tooFew",
            Problem::TooMany { .. } => "tooMany",
            Problem::Duplicate { .. } => "duplicate",
            Problem::InvalidChoice { .. } => "invalidChoice",
            Problem::OutOfRange { .. } => "outOfRange",
            Problem::LunOutOfOrder { .. } => "lunOutOfOrder",
            Problem::DataDiskCountMismatch { .. } => "dataDiskCountMismatch",
            Problem::UnsupportedLeadDestination => "unsupportedLeadDestination",
            Problem::DisallowedHtmlTag { .. } => "disallowedHtmlTag",
            Problem::DisallowedHtmlAttribute { .. } => "disallowedHtmlAttribute",
            Problem::InvalidRegion { .. } => "invalidRegion",
            Problem::WrongImageSize { .. } => "wrongImageSize",
            Problem::ImageUnreadable { .. } => "imageUnreadable",
            Problem::WrongOfferType { .. } => "wrongOfferType",
        }
    }

    /// The message for the publisher: what is wrong and what to do, naming the field.
    pub fn message(&self, label: &str, lang: Lang) -> String {
        match lang {
            Lang::En => self.message_en(label),
            Lang::Ko => self.message_ko(label),
        }
    }

    fn message_en(&self, label: &str) -> String {
        match self {
            Problem::Required => format!("{label} is required. Fill it in."),
            Problem::TooLong { max, actual } => {
                format!("{label} is {actual} characters long; shorten it to at most {max}.")
            }
            Problem::InvalidIdentifier => format!(
                "{label} may contain only lowercase letters, digits and dashes, and may not start or end with a dash."
            ),
            Problem::InvalidEmail => {
                format!("{label} must be an e-mail address such as name@example.com.")
            }
            Problem::InvalidEmailInList { value } => {
                format!(
                    "{label}: \u{201c}{value}\u{201d} is not an e-mail address. Separate addresses with commas."
                )
            }
            Problem::InvalidPhone => format!(
                "{label} must be a phone number of 7 to 15 digits, for example +1 425 555 0100."
            ),
            Problem::InvalidGuid => format!(
                "{label} must be a subscription ID (GUID) such as 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9."
            ),
            Problem::InvalidDiskVersion => {
                format!("{label} must be a version of the form MAJOR.MINOR.PATCH, such as 1.0.0.")
            }
            Problem::InvalidUrl => {
                format!("{label} must be a complete URL starting with https://.")
            }
            Problem::NotHttps => format!("{label} must use https://."),
            Problem::TooFew { min, actual } => {
                format!("{label} needs at least {min} (now {actual}). Add more.")
            }
            Problem::TooMany { max, actual } => {
                format!("{label} allows at most {max} (now {actual}). Remove some.")
            }
            Problem::Duplicate { value } => {
                format!("{label}: \u{201c}{value}\u{201d} appears more than once. Remove the copy.")
            }
            Problem::InvalidChoice { allowed } => format!("{label} must be one of: {allowed}."),
            Problem::OutOfRange { min, max } => format!("{label} must be between {min} and {max}."),
            Problem::LunOutOfOrder { expected } => {
                format!(
                    "{label}: data disks must be numbered 0, 1, 2 … in order; this disk must be LUN {expected}."
                )
            }
            Problem::DataDiskCountMismatch {
                expected,
                actual,
                reference,
            } => format!(
                "{label}: this disk version has {actual} data disks but {reference} has {expected}. Every disk version of a SKU must have the same number of data disks; create a new SKU to change it."
            ),
            Problem::UnsupportedLeadDestination => format!(
                "{label}: Azure Blob is no longer supported and leads sent there are lost. Choose another destination."
            ),
            Problem::DisallowedHtmlTag { tag } => format!(
                "{label} uses the HTML tag <{tag}>, which is not allowed. Use only simple tags: p, br, b, strong, i, em, u, ul, ol, li, h1–h6, a."
            ),
            Problem::DisallowedHtmlAttribute { attribute } => format!(
                "{label} uses the HTML attribute \u{201c}{attribute}\u{201d}, which is not allowed. Links may only have an https href."
            ),
            Problem::InvalidRegion { value } => format!(
                "{label}: \u{201c}{value}\u{201d} is not a two-letter country/region code such as US or KR."
            ),
            Problem::WrongImageSize {
                width,
                height,
                actual_width,
                actual_height,
            } => format!(
                "{label} must be exactly {width}×{height} pixels; this image is {actual_width}×{actual_height}."
            ),
            Problem::ImageUnreadable { reason } => {
                format!("{label} could not be read as a PNG image: {reason}.")
            }
            Problem::WrongOfferType { expected } => format!("{label} must be {expected}."),
        }
    }

    fn message_ko(&self, label: &str) -> String {
        match self {
            Problem::Required => format!("{label}은(는) 필수 항목입니다. 입력해 주세요."),
            Problem::TooLong { max, actual } => {
                format!("{label}이(가) {actual}자입니다. {max}자 이하로 줄여 주세요.")
            }
            Problem::InvalidIdentifier => format!(
                "{label}에는 영문 소문자, 숫자, 대시(-)만 사용할 수 있으며 대시로 시작하거나 끝날 수 없습니다."
            ),
            Problem::InvalidEmail => {
                format!("{label}은(는) name@example.com 형식의 전자 메일 주소여야 합니다.")
            }
            Problem::InvalidEmailInList { value } => {
                format!(
                    "{label}: \u{201c}{value}\u{201d}은(는) 전자 메일 주소가 아닙니다. 주소는 쉼표로 구분하세요."
                )
            }
            Problem::InvalidPhone => {
                format!("{label}은(는) 7~15자리 전화번호여야 합니다(예: +82 2 555 0100).")
            }
            Problem::InvalidGuid => format!(
                "{label}은(는) 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9 형식의 구독 ID(GUID)여야 합니다."
            ),
            Problem::InvalidDiskVersion => {
                format!("{label}은(는) 1.0.0과 같은 주.부.패치 형식의 버전이어야 합니다.")
            }
            Problem::InvalidUrl => {
                format!("{label}은(는) https://로 시작하는 전체 URL이어야 합니다.")
            }
            Problem::NotHttps => format!("{label}은(는) https://를 사용해야 합니다."),
            Problem::TooFew { min, actual } => {
                format!("{label}은(는) {min}개 이상이어야 합니다(현재 {actual}개). 추가해 주세요.")
            }
            Problem::TooMany { max, actual } => format!(
                "{label}은(는) 최대 {max}개까지 가능합니다(현재 {actual}개). 일부를 제거해 주세요."
            ),
            Problem::Duplicate { value } => format!(
                "{label}: \u{201c}{value}\u{201d}이(가) 중복되었습니다. 중복 항목을 제거하세요."
            ),
            Problem::InvalidChoice { allowed } => {
                format!("{label}은(는) 다음 중 하나여야 합니다: {allowed}.")
            }
            Problem::OutOfRange { min, max } => {
                format!("{label}은(는) {min}에서 {max} 사이여야 합니다.")
            }
            Problem::LunOutOfOrder { expected } => format!(
                "{label}: 데이터 디스크는 0, 1, 2 … 순서로 번호를 매겨야 합니다. 이 디스크는 LUN {expected}이어야 합니다."
            ),
            Problem::DataDiskCountMismatch {
                expected,
                actual,
                reference,
            } => format!(
                "{label}: 이 디스크 버전의 데이터 디스크는 {actual}개이지만 {reference}에는 {expected}개가 있습니다. SKU의 모든 디스크 버전은 데이터 디스크 수가 같아야 합니다. 수를 바꾸려면 새 SKU를 만드세요."
            ),
            Problem::UnsupportedLeadDestination => format!(
                "{label}: Azure Blob은 더 이상 지원되지 않으며 그곳으로 보낸 리드는 손실됩니다. 다른 대상을 선택하세요."
            ),
            Problem::DisallowedHtmlTag { tag } => format!(
                "{label}에 허용되지 않는 HTML 태그 <{tag}>이(가) 있습니다. p, br, b, strong, i, em, u, ul, ol, li, h1–h6, a 같은 간단한 태그만 사용하세요."
            ),
            Problem::DisallowedHtmlAttribute { attribute } => format!(
                "{label}에 허용되지 않는 HTML 속성 \u{201c}{attribute}\u{201d}이(가) 있습니다. 링크에는 https href만 사용할 수 있습니다."
            ),
            Problem::InvalidRegion { value } => format!(
                "{label}: \u{201c}{value}\u{201d}은(는) US, KR 같은 두 글자 국가/지역 코드가 아닙니다."
            ),
            Problem::WrongImageSize {
                width,
                height,
                actual_width,
                actual_height,
            } => format!(
                "{label}은(는) 정확히 {width}×{height} 픽셀이어야 합니다. 이 이미지는 {actual_width}×{actual_height}입니다."
            ),
            Problem::ImageUnreadable { reason } => {
                format!("{label}을(를) PNG 이미지로 읽을 수 없습니다: {reason}.")
            }
            Problem::WrongOfferType { expected } => {
                format!("{label}은(는) {expected}이어야 합니다.")
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Labels of the document's keys, as the editor shows them: `(key, English, Korean)`.
/// Korean wording follows the Korean Cloud Partner Portal where it exists.
const LABELS: &[(&str, &str, &str)] = &[
    ("publisherId", "Publisher ID", "게시자 ID"),
    ("offerTypeId", "Offer type", "제품 유형"),
    ("id", "Offer ID", "제품 ID"),
    ("displayText", "Name", "이름"),
    ("planId", "SKU ID", "SKU ID"),
    (
        "microsoft-azure-marketplace-testdrive.enabled",
        "Test Drive",
        "테스트 드라이브",
    ),
    (
        "microsoft-azure-marketplace-testdrive.description",
        "Test Drive description",
        "테스트 드라이브 설명",
    ),
    (
        "microsoft-azure-marketplace-testdrive.userManual",
        "User manual (PDF)",
        "사용자 설명서(PDF)",
    ),
    (
        "microsoft-azure-marketplace-testdrive.durationHours",
        "Test Drive duration (hours)",
        "테스트 드라이브 기간(시간)",
    ),
    (
        "microsoft-azure-marketplace-testdrive.armTemplate",
        "Test Drive ARM template",
        "테스트 드라이브 ARM 템플릿",
    ),
    (
        "microsoft-azure-marketplace-testdrive.accessInformation",
        "Access information",
        "액세스 정보",
    ),
    ("microsoft-azure-marketplace.title", "Title", "제목"),
    ("microsoft-azure-marketplace.summary", "Summary", "요약"),
    (
        "microsoft-azure-marketplace.longSummary",
        "Long summary",
        "긴 요약",
    ),
    (
        "microsoft-azure-marketplace.description",
        "Description",
        "설명",
    ),
    (
        "microsoft-azure-marketplace.offerMarketingUrlIdentifier",
        "Marketing identifier",
        "마케팅 식별자",
    ),
    (
        "microsoft-azure-marketplace.allowedSubscriptions",
        "Preview subscription IDs",
        "미리 보기 구독 ID",
    ),
    (
        "microsoft-azure-marketplace.usefulLinks",
        "Useful links",
        "유용한 링크",
    ),
    ("linkTitle", "Link title", "링크 제목"),
    ("linkUrl", "Link URL", "링크 URL"),
    (
        "microsoft-azure-marketplace.categories",
        "Categories",
        "범주",
    ),
    (
        "microsoft-azure-marketplace.smallLogo",
        "Small logo (40×40)",
        "작은 로고(40×40)",
    ),
    (
        "microsoft-azure-marketplace.mediumLogo",
        "Medium logo (90×90)",
        "중간 로고(90×90)",
    ),
    (
        "microsoft-azure-marketplace.largeLogo",
        "Large logo (115×115)",
        "큰 로고(115×115)",
    ),
    (
        "microsoft-azure-marketplace.wideLogo",
        "Wide logo (255×115)",
        "와이드 로고(255×115)",
    ),
    (
        "microsoft-azure-marketplace.heroLogo",
        "Hero image (815×290)",
        "히어로 이미지(815×290)",
    ),
    (
        "microsoft-azure-marketplace.screenshots",
        "Screenshots",
        "스크린샷",
    ),
    ("microsoft-azure-marketplace.videos", "Videos", "비디오"),
    ("name", "Name", "이름"),
    ("url", "Image URL", "이미지 URL"),
    ("link", "Video link", "비디오 링크"),
    ("thumbnailUrl", "Thumbnail URL", "미리 보기 이미지 URL"),
    (
        "microsoft-azure-marketplace.leadDestination",
        "Lead destination",
        "리드 대상",
    ),
    (
        "connectionString",
        "Storage account connection string",
        "스토리지 계정 연결 문자열",
    ),
    ("authentication", "Authentication", "인증"),
    ("applicationId", "Application ID", "애플리케이션 ID"),
    ("directoryId", "Directory ID", "디렉터리 ID"),
    ("applicationKey", "Application key", "애플리케이션 키"),
    ("userName", "User name", "사용자 이름"),
    ("password", "Password", "암호"),
    (
        "httpsEndpointUrl",
        "HTTPS endpoint URL",
        "HTTPS 엔드포인트 URL",
    ),
    ("serverId", "Server ID", "서버 ID"),
    ("munchkinId", "Munchkin ID", "Munchkin ID"),
    ("formId", "Form ID", "양식 ID"),
    ("clientId", "Client ID", "클라이언트 ID"),
    ("clientSecret", "Client secret", "클라이언트 암호"),
    ("objectIdentifier", "Object identifier", "개체 식별자"),
    (
        "microsoft-azure-marketplace.privacyURL",
        "Privacy policy URL",
        "개인정보처리방침 URL",
    ),
    (
        "microsoft-azure-marketplace.termsOfUse",
        "Terms of use",
        "사용 약관",
    ),
    (
        "microsoft-azure-marketplace.engineeringContactName",
        "Engineering contact name",
        "엔지니어링 담당자 이름",
    ),
    (
        "microsoft-azure-marketplace.engineeringContactEmail",
        "Engineering contact e-mail",
        "엔지니어링 담당자 전자 메일",
    ),
    (
        "microsoft-azure-marketplace.engineeringContactPhone",
        "Engineering contact phone",
        "엔지니어링 담당자 전화",
    ),
    (
        "microsoft-azure-marketplace.supportContactName",
        "Customer support name",
        "고객 지원 담당자 이름",
    ),
    (
        "microsoft-azure-marketplace.supportContactEmail",
        "Customer support e-mail",
        "고객 지원 전자 메일",
    ),
    (
        "microsoft-azure-marketplace.supportContactPhone",
        "Customer support phone",
        "고객 지원 전화",
    ),
    (
        "microsoft-azure-marketplace.publicAzureSupportUrl",
        "Azure Global support URL",
        "Azure 글로벌 지원 URL",
    ),
    (
        "microsoft-azure-marketplace.fairfaxSupportUrl",
        "Azure Government support URL",
        "Azure Government 지원 URL",
    ),
    (
        "microsoft-azure-virtualmachines.skuTitle",
        "SKU title",
        "SKU 제목",
    ),
    (
        "microsoft-azure-virtualmachines.skuSummary",
        "SKU summary",
        "SKU 요약",
    ),
    (
        "microsoft-azure-virtualmachines.skuDescription",
        "SKU description",
        "SKU 설명",
    ),
    (
        "microsoft-azure-virtualmachines.hideSKUForSolutionTemplate",
        "Hide this SKU",
        "이 SKU 숨기기",
    ),
    (
        "microsoft-azure-virtualmachines.cloudAvailability",
        "Cloud availability",
        "클라우드 가용성",
    ),
    ("virtualMachinePricing", "License model", "라이선스 모델"),
    ("isByol", "License model", "라이선스 모델"),
    (
        "freeTrialDurationInMonths",
        "Free trial (months)",
        "무료 평가판(개월)",
    ),
    (
        "microsoft-azure-virtualmachines.operatingSystemFamily",
        "Operating system family",
        "운영 체제 제품군",
    ),
    (
        "microsoft-azure-virtualmachines.windowsOSType",
        "Operating system type",
        "운영 체제 유형",
    ),
    (
        "microsoft-azure-virtualmachines.linuxOSType",
        "Operating system type",
        "운영 체제 유형",
    ),
    (
        "microsoft-azure-virtualmachines.operationSystem",
        "OS friendly name",
        "OS 표시 이름",
    ),
    (
        "microsoft-azure-virtualmachines.recommendedVMSizes",
        "Recommended VM sizes",
        "권장 VM 크기",
    ),
    (
        "microsoft-azure-virtualmachines.openPorts",
        "Open ports",
        "열린 포트",
    ),
    ("port", "Port", "포트"),
    ("protocol", "Protocol", "프로토콜"),
    (
        "microsoft-azure-virtualmachines.vmImages",
        "Disk versions",
        "디스크 버전",
    ),
    ("osVhdUrl", "OS VHD URL", "OS VHD URL"),
    ("lunVhdDetails", "Data disks", "데이터 디스크"),
    ("lun", "LUN", "LUN"),
    ("lunVhdUrl", "Data disk VHD URL", "데이터 디스크 VHD URL"),
    ("regions", "Country/region availability", "국가/지역 가용성"),
    ("plans", "SKUs", "SKU"),
    (
        "notification-emails",
        "Notification e-mail addresses",
        "알림 전자 메일 주소",
    ),
];

/// The label of a document key (the last key of a field path), in a language. Unknown keys
/// are shown as they are.
pub fn label(key: &str, lang: Lang) -> &str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ko)| match lang {
            Lang::En => *en,
            Lang::Ko => *ko,
        })
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_renders_in_both_languages_with_the_label() {
        let samples = [
            Problem::Required,
            Problem::TooLong {
                max: 50,
                actual: 51,
            },
            Problem::InvalidIdentifier,
            Problem::WrongImageSize {
                width: 40,
                height: 40,
                actual_width: 41,
                actual_height: 40,
            },
        ];
        for p in samples {
            let en = p.message("Title", Lang::En);
            let ko = p.message("제목", Lang::Ko);
            assert!(en.contains("Title"), "{en}");
            assert!(ko.contains("제목"), "{ko}");
            assert_ne!(en, ko);
        }
    }

    #[test]
    fn language_negotiation() {
        assert_eq!(Lang::negotiate("ko-KR,ko;q=0.9,en;q=0.8"), Lang::Ko);
        assert_eq!(Lang::negotiate("fr-FR, en-US"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    #[test]
    fn labels_fall_back_to_the_key() {
        assert_eq!(label("microsoft-azure-marketplace.title", Lang::Ko), "제목");
        assert_eq!(label("somethingElse", Lang::En), "somethingElse");
    }
}
