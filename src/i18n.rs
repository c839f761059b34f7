//! The app's own words in English and Korean. Field labels, rule messages and step names come
//! from `portal_domain`; this table holds only the interface's strings (Korean follows the
//! Cloud Partner Portal's wording: 게시, 상태, 모든 제품, 편집기, 라이브로 전환, 게시 취소, 저장).

use leptos::prelude::{Get, RwSignal, Signal};
use portal_domain::Lang;

/// `(key, English, Korean)`.
const UI: &[(&str, &str, &str)] = &[
    ("brand", "Partner Portal", "파트너 포털"),
    ("all_offers", "All Offers", "모든 제품"),
    ("editor", "Editor", "편집기"),
    ("status", "Status", "상태"),
    ("publish", "Publish", "게시"),
    ("save", "Save", "저장"),
    ("saving", "Saving…", "저장 중…"),
    (
        "saved",
        "All changes saved.",
        "모든 변경 내용이 저장되었습니다.",
    ),
    ("unsaved", "Unsaved changes", "저장되지 않은 변경 내용"),
    ("go_live", "Go Live", "라이브로 전환"),
    ("cancel_publish", "Cancel publish", "게시 취소"),
    ("sign_in", "Sign in", "로그인"),
    ("sign_out", "Sign out", "로그아웃"),
    (
        "sign_in_title",
        "Sign in to Partner Portal",
        "파트너 포털에 로그인",
    ),
    (
        "sign_in_help",
        "Use the e-mail address and password of your Partner Portal account. Reviewers sign in here too.",
        "파트너 포털 계정의 전자 메일 주소와 비밀번호를 사용하세요. 검토자도 여기에서 로그인합니다.",
    ),
    ("publisher", "Publisher", "게시자"),
    ("language", "Language", "언어"),
    ("search", "Search offers", "제품 검색"),
    (
        "search_placeholder",
        "Name or offer ID",
        "이름 또는 제품 ID",
    ),
    ("filter_status", "Status", "상태"),
    ("new_offer", "New offer", "새 제품"),
    ("col_name", "Offer name", "제품 이름"),
    ("col_id", "Offer ID", "제품 ID"),
    ("col_status", "Status", "상태"),
    ("col_changed", "Last change", "마지막 변경"),
    (
        "no_offers",
        "No offers yet. Create your first offer with “New offer”.",
        "아직 제품이 없습니다. “새 제품”으로 첫 제품을 만드세요.",
    ),
    (
        "no_match",
        "No offers match your search.",
        "검색과 일치하는 제품이 없습니다.",
    ),
    ("prev", "Previous", "이전"),
    ("next", "Next", "다음"),
    ("page", "Page", "페이지"),
    ("loading", "Loading…", "불러오는 중…"),
    ("retry", "Try again", "다시 시도"),
    ("create", "Create", "만들기"),
    ("cancel", "Cancel", "취소"),
    ("close", "Close", "닫기"),
    (
        "offer_id_help",
        "Lowercase letters, digits and dashes. It cannot be changed later.",
        "소문자, 숫자, 대시만 사용할 수 있습니다. 나중에 변경할 수 없습니다.",
    ),
    ("offer_name", "Offer name", "제품 이름"),
    ("problems", "problems", "개 문제"),
    ("no_problems", "No problems", "문제 없음"),
    (
        "required_note",
        "Fields marked * are required to publish.",
        "*로 표시된 필드는 게시에 필요합니다.",
    ),
    ("add", "Add", "추가"),
    ("remove", "Remove", "제거"),
    ("add_sku", "Add SKU", "SKU 추가"),
    ("remove_sku", "Remove this SKU", "이 SKU 제거"),
    ("new_sku", "(new SKU)", "(새 SKU)"),
    ("add_version", "Add disk version", "디스크 버전 추가"),
    ("remove_version", "Remove version", "버전 제거"),
    ("add_disk", "Add data disk", "데이터 디스크 추가"),
    ("check_image", "Check image now", "지금 이미지 확인"),
    ("checking_image", "Checking the image…", "이미지 확인 중…"),
    ("tests_passed", "tests passed", "테스트 통과"),
    ("requests", "requests", "요청"),
    ("kb_read", "read", "읽음"),
    (
        "no_skus",
        "This offer has no SKUs yet. Add one to describe a VM image.",
        "아직 SKU가 없습니다. VM 이미지를 설명할 SKU를 추가하세요.",
    ),
    ("version_placeholder", "e.g. 1.0.0", "예: 1.0.0"),
    (
        "lead_settings",
        "Settings for this destination",
        "이 대상의 설정",
    ),
    ("logo_preview", "Preview", "미리 보기"),
    ("image_measured", "This image:", "이 이미지:"),
    (
        "conflict",
        "Someone else changed this offer since you opened it. Your edits are kept here.",
        "이 제품을 연 뒤 다른 사람이 변경했습니다. 편집한 내용은 그대로 남아 있습니다.",
    ),
    (
        "reload",
        "Reload theirs (discard mine)",
        "다시 불러오기(내 변경 취소)",
    ),
    ("overwrite", "Overwrite with mine", "내 변경으로 덮어쓰기"),
    (
        "page_load_failed",
        "This page could not be loaded: the connection failed, or a new version of the portal was installed. Reload to try again.",
        "이 페이지를 불러오지 못했습니다. 연결에 실패했거나 포털의 새 버전이 설치되었습니다. 다시 시도하려면 새로 고치세요.",
    ),
    ("reload_page", "Reload the page", "페이지 새로 고침"),
    ("page_loading", "Loading the page…", "페이지를 불러오는 중…"),
    (
        "fix_before_publish",
        "Fix the highlighted fields, then press Publish again.",
        "표시된 필드를 수정한 뒤 게시를 다시 누르세요.",
    ),
    (
        "emails_title",
        "Notification e-mail addresses",
        "알림 전자 메일 주소",
    ),
    (
        "emails_help",
        "We e-mail these addresses when a step completes or needs you. Separate several with commas.",
        "단계가 완료되거나 확인이 필요할 때 이 주소로 메일을 보냅니다. 여러 개는 쉼표로 구분하세요.",
    ),
    ("start_publish", "Publish", "게시"),
    ("publishing", "Publishing…", "게시 중…"),
    ("publish_progress", "Publishing progress", "게시 진행률"),
    ("estimate", "Estimate", "예상 시간"),
    ("started", "Started", "시작"),
    ("ended", "Ended", "종료"),
    ("preview_links", "Preview links", "미리 보기 링크"),
    ("live_links", "Live links", "라이브 링크"),
    ("history", "Publish history", "게시 기록"),
    (
        "no_history",
        "This offer was never published.",
        "이 제품은 게시된 적이 없습니다.",
    ),
    ("failed_at", "Publishing failed at", "게시 실패 단계:"),
    (
        "fix_guidance",
        "Fix what the messages name, then press Publish again: publishing restarts at step 1.",
        "메시지가 가리키는 항목을 수정한 뒤 게시를 다시 누르세요. 게시는 1단계부터 다시 시작됩니다.",
    ),
    ("fix_field", "Fix in editor", "편집기에서 수정"),
    ("publish_again", "Publish again", "다시 게시"),
    ("support", "Open a support request", "지원 요청 열기"),
    (
        "go_live_confirm",
        "Make this version live in the marketplace? Customers will see it within a few hours.",
        "이 버전을 마켓플레이스에 라이브로 전환할까요? 몇 시간 안에 고객에게 표시됩니다.",
    ),
    (
        "cancel_confirm",
        "Cancel this publish? The status resets and Publish starts again at step 1.",
        "이 게시를 취소할까요? 상태가 초기화되고 게시는 1단계부터 다시 시작됩니다.",
    ),
    (
        "signoff_note",
        "Your offer is in preview. Check it with the preview links, then Go Live or Cancel publish.",
        "제품이 미리 보기 상태입니다. 미리 보기 링크로 확인한 뒤 라이브로 전환하거나 게시를 취소하세요.",
    ),
    (
        "live_updates",
        "Updates live while this page is open.",
        "이 페이지가 열려 있는 동안 실시간으로 업데이트됩니다.",
    ),
    ("operation", "Operation", "작업"),
    ("created", "Created", "생성"),
    ("result", "Result", "결과"),
    ("version", "Version", "버전"),
    ("step_notStarted", "Not started", "시작 안 됨"),
    ("step_inProgress", "In progress", "진행 중"),
    (
        "step_waitingForPublisherReview",
        "Waiting for you",
        "게시자 대기 중",
    ),
    ("step_complete", "Complete", "완료"),
    ("step_failed", "Failed", "실패"),
    ("step_canceled", "Canceled", "취소됨"),
    ("op_running", "Running", "실행 중"),
    ("op_failed", "Failed", "실패"),
    ("op_completed", "Live", "라이브"),
    ("op_canceled", "Canceled", "취소됨"),
    (
        "err_network",
        "The portal could not be reached. Check your connection and try again.",
        "포털에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.",
    ),
    (
        "err_401",
        "Your session has ended. Sign in again.",
        "세션이 종료되었습니다. 다시 로그인하세요.",
    ),
    (
        "err_403",
        "Your account may not do this for this publisher.",
        "이 게시자에 대해 이 작업을 수행할 권한이 없습니다.",
    ),
    (
        "err_404",
        "This offer or page does not exist (any more).",
        "이 제품이나 페이지가 존재하지 않습니다.",
    ),
    (
        "err_409",
        "A publish is already running for this offer, or this action is not possible in its current state.",
        "이 제품의 게시가 이미 진행 중이거나 현재 상태에서는 이 작업을 할 수 없습니다.",
    ),
    (
        "err_412",
        "Someone else changed this offer in the meantime.",
        "그 사이에 다른 사람이 이 제품을 변경했습니다.",
    ),
    (
        "err_422",
        "Some fields need attention before this can continue.",
        "계속하기 전에 일부 필드를 확인해야 합니다.",
    ),
    (
        "err_4xx",
        "The portal refused this request.",
        "포털이 이 요청을 거부했습니다.",
    ),
    (
        "err_5xx",
        "The portal had a problem. Try again in a moment.",
        "포털에 문제가 발생했습니다. 잠시 후 다시 시도하세요.",
    ),
    (
        "err_decode",
        "The portal sent an answer this page does not understand.",
        "포털이 이해할 수 없는 응답을 보냈습니다.",
    ),
    ("not_found", "Page not found.", "페이지를 찾을 수 없습니다."),
    (
        "leave_warning",
        "You have unsaved changes.",
        "저장되지 않은 변경 내용이 있습니다.",
    ),
    ("back_to_offers", "All Offers", "모든 제품"),
    (
        "leave_title",
        "Leave without saving?",
        "저장하지 않고 나가시겠습니까?",
    ),
    (
        "leave_question",
        "You have unsaved changes. If you leave now, they are lost.",
        "저장되지 않은 변경 내용이 있습니다. 지금 나가면 변경 내용이 사라집니다.",
    ),
    ("leave", "Leave", "나가기"),
    ("stay", "Keep editing", "계속 편집"),
    ("sub_media", "Screenshots and videos", "스크린샷 및 비디오"),
    (
        "test_drive_videos",
        "Test Drive videos",
        "테스트 드라이브 비디오",
    ),
    ("sub_ports", "Open ports", "열린 포트"),
    ("catalogue", "Catalogue", "카탈로그"),
    (
        "catalogue_title",
        "Marketplace catalogue",
        "마켓플레이스 카탈로그",
    ),
    ("catalogue_search", "Search the catalogue", "카탈로그 검색"),
    (
        "catalogue_placeholder",
        "Name, publisher or category",
        "이름, 게시자 또는 범주",
    ),
    (
        "catalogue_empty",
        "No offers are live yet.",
        "아직 라이브 상태인 제품이 없습니다.",
    ),
    ("by_publisher", "by", "게시자:"),
    ("categories", "Categories", "범주"),
    ("description", "Overview", "개요"),
    ("useful_links", "Useful links", "유용한 링크"),
    ("screenshots", "Screenshots", "스크린샷"),
    ("videos", "Videos", "비디오"),
    ("plans", "Plans", "플랜"),
    ("legal", "Legal", "법률"),
    ("privacy", "Privacy policy", "개인정보처리방침"),
    ("terms", "Terms of use", "사용 약관"),
    ("support_site", "Support", "지원"),
    (
        "support_gov",
        "Support (Azure Government)",
        "지원(Azure Government)",
    ),
    ("back_to_catalogue", "Catalogue", "카탈로그"),
    ("reviewer_title", "Offers in preview", "미리 보기 중인 제품"),
    (
        "reviewer_help",
        "Offers whose publishers allow-listed your subscription. Open one to see its product page as it will look live and to run a test deployment.",
        "게시자가 구독을 허용 목록에 추가한 제품입니다. 제품을 열어 라이브 상태와 똑같은 제품 페이지를 보고 테스트 배포를 실행하세요.",
    ),
    (
        "no_previews",
        "No offer is in preview for your subscription.",
        "구독에 대해 미리 보기 중인 제품이 없습니다.",
    ),
    (
        "preview_banner",
        "Preview — not yet live",
        "미리 보기 — 아직 라이브 아님",
    ),
    ("in_preview_since", "In preview since", "미리 보기 시작"),
    ("test_deployment", "Test deployment", "테스트 배포"),
    (
        "test_deployment_help",
        "Deploys the SKU's disks to a region as a customer would get them. Nothing is billed.",
        "고객이 받는 것과 같이 SKU의 디스크를 지역에 배포합니다. 요금은 청구되지 않습니다.",
    ),
    ("sku", "Choose a SKU", "SKU 선택"),
    ("disk_version", "Disk version", "디스크 버전"),
    ("region", "Region", "지역"),
    ("deploy", "Deploy", "배포"),
    ("deploying", "Deploying…", "배포 중…"),
    ("deployed", "Deployed", "배포됨"),
    ("disk", "Disk", "디스크"),
    ("os_disk", "OS disk", "OS 디스크"),
    ("data_disk", "Data disk", "데이터 디스크"),
    ("location", "Location", "위치"),
    ("size", "Size", "크기"),
    ("recommended_size", "Recommended VM size", "권장 VM 크기"),
    ("open_ports", "Open ports", "열린 포트"),
    ("none", "None", "없음"),
    ("regions_progress", "Regions", "지역"),
    ("reviewer", "Reviewer", "검토자"),
    ("previews", "Previews", "미리 보기"),
    (
        "browse_catalogue",
        "Browse the catalogue without signing in",
        "로그인하지 않고 카탈로그 둘러보기",
    ),
    ("os", "Operating system", "운영 체제"),
    ("pricing", "Pricing", "가격"),
    (
        "byol",
        "Bring your own license",
        "사용자 라이선스 사용(BYOL)",
    ),
    ("payg", "Pay as you go", "종량제"),
    ("trial_months", "months free trial", "개월 무료 평가판"),
    (
        "err_deploy_409",
        "The disks of this version are not yet present and verified in this region. Choose another region or wait for provisioning.",
        "이 버전의 디스크가 아직 이 지역에 복제 및 확인되지 않았습니다. 다른 지역을 선택하거나 프로비저닝이 끝날 때까지 기다리세요.",
    ),
    ("region_pending", "Waiting", "대기 중"),
    ("region_copying", "Copying", "복사 중"),
    ("region_verifying", "Verifying", "확인 중"),
    ("region_done", "Done", "완료"),
    ("region_skipped", "Already present", "이미 있음"),
    ("skip", "Skip to content", "본문으로 건너뛰기"),
    ("sku_list", "SKUs of this offer", "이 제품의 SKU"),
    ("data_disks", "Data disks", "데이터 디스크"),
    ("created_offer", "Offer created.", "제품이 만들어졌습니다."),
    (
        "preview_unavailable",
        "The image could not be loaded.",
        "이미지를 불러올 수 없습니다.",
    ),
    ("sub_listing", "Marketplace listing", "마켓플레이스 목록"),
    ("sub_logos", "Logos", "로고"),
    ("sub_leads", "Lead management", "잠재 고객 관리"),
    ("sub_legal", "Legal", "법률"),
    (
        "sub_engineering",
        "Engineering contact",
        "엔지니어링 연락처",
    ),
    ("sub_support", "Customer support", "고객 지원"),
    ("sku_details", "SKU details", "SKU 세부 정보"),
    ("sub_os", "Operating system", "운영 체제"),
    (
        "sub_pricing",
        "License and availability",
        "라이선스 및 가용성",
    ),
    (
        "test_drive_note",
        "Test Drive is optional. Enable it to let customers try your VM.",
        "테스트 드라이브는 선택 사항입니다. 고객이 VM을 체험하게 하려면 사용하도록 설정하세요.",
    ),
    // Sign-in, one-time links, the account.
    ("email", "E-mail address", "전자 메일 주소"),
    ("password", "Password", "비밀번호"),
    ("signing_in", "Signing in…", "로그인 중…"),
    (
        "password_required",
        "Enter your password.",
        "비밀번호를 입력하세요.",
    ),
    (
        "err_credentials",
        "The e-mail address or the password is wrong. Check both and try again.",
        "전자 메일 주소 또는 비밀번호가 올바르지 않습니다. 둘 다 확인한 뒤 다시 시도하세요.",
    ),
    (
        "err_429",
        "Too many attempts. Wait a moment before trying again.",
        "시도 횟수가 너무 많습니다. 잠시 기다린 뒤 다시 시도하세요.",
    ),
    (
        "err_410",
        "This link has expired or was already used. Ask for a new one.",
        "이 링크는 만료되었거나 이미 사용되었습니다. 새 링크를 요청하세요.",
    ),
    (
        "err_last_owner",
        "A publisher needs at least one owner: make someone else an owner first.",
        "게시자에게는 소유자가 한 명 이상 있어야 합니다. 먼저 다른 사람을 소유자로 지정하세요.",
    ),
    (
        "forgot_password",
        "Forgot password?",
        "비밀번호를 잊으셨나요?",
    ),
    ("forgot_title", "Reset your password", "비밀번호 재설정"),
    (
        "forgot_help",
        "Enter your account's e-mail address. We send a link to set a new password.",
        "계정의 전자 메일 주소를 입력하세요. 새 비밀번호를 설정할 수 있는 링크를 보내 드립니다.",
    ),
    ("send_reset", "Send the link", "링크 보내기"),
    (
        "reset_sent_title",
        "Check your e-mail",
        "전자 메일을 확인하세요",
    ),
    (
        "reset_sent",
        "If {email} has an account, a link to set a new password is on its way. It works once and for a limited time.",
        "{email}에 계정이 있으면 새 비밀번호를 설정할 수 있는 링크가 발송됩니다. 링크는 한 번, 제한된 시간 동안만 사용할 수 있습니다.",
    ),
    ("back_to_sign_in", "Back to sign in", "로그인으로 돌아가기"),
    ("set_password_title", "Set your password", "비밀번호 설정"),
    (
        "set_password_help",
        "Choose the password you will sign in with.",
        "로그인할 때 사용할 비밀번호를 정하세요.",
    ),
    ("set_password", "Set password", "비밀번호 설정"),
    (
        "password_set",
        "Your password is set. Sign in with it now.",
        "비밀번호가 설정되었습니다. 이제 이 비밀번호로 로그인하세요.",
    ),
    (
        "link_incomplete",
        "This link is incomplete. Open the whole link from your e-mail again.",
        "링크가 완전하지 않습니다. 전자 메일에 있는 링크 전체를 다시 여세요.",
    ),
    (
        "ask_new_link",
        "Use “Forgot password?” on the sign-in page to get a new link, or ask your portal operator.",
        "로그인 페이지의 “비밀번호를 잊으셨나요?”에서 새 링크를 받거나 포털 운영자에게 요청하세요.",
    ),
    ("new_password", "New password", "새 비밀번호"),
    (
        "confirm_password",
        "Repeat the new password",
        "새 비밀번호 확인",
    ),
    ("current_password", "Current password", "현재 비밀번호"),
    (
        "password_rules",
        "At least 12 characters, not your e-mail address, and not a common password.",
        "12자 이상이어야 하며, 전자 메일 주소나 흔한 비밀번호는 사용할 수 없습니다.",
    ),
    (
        "password_mismatch",
        "The two passwords differ. Type the same password twice.",
        "두 비밀번호가 다릅니다. 같은 비밀번호를 두 번 입력하세요.",
    ),
    (
        "wrong_current_password",
        "The current password is wrong.",
        "현재 비밀번호가 올바르지 않습니다.",
    ),
    ("account", "Account", "계정"),
    ("profile", "Profile", "프로필"),
    ("signed_in_as", "Signed in as", "로그인 계정:"),
    ("display_name", "Display name", "표시 이름"),
    ("profile_saved", "Saved.", "저장되었습니다."),
    ("change_password", "Change password", "비밀번호 변경"),
    (
        "password_changed",
        "Your password is changed. Your other sessions were signed out.",
        "비밀번호가 변경되었습니다. 다른 세션은 로그아웃되었습니다.",
    ),
    ("sessions", "Sessions", "세션"),
    (
        "sessions_help",
        "The browsers signed in to your account. End any you do not recognise.",
        "계정에 로그인된 브라우저입니다. 알 수 없는 세션은 종료하세요.",
    ),
    ("session_browser", "Browser", "브라우저"),
    ("session_started", "Signed in", "로그인 시각"),
    ("last_seen", "Last active", "마지막 활동"),
    ("expires", "Expires", "만료"),
    ("this_session", "This session", "현재 세션"),
    ("end_session", "End", "종료"),
    (
        "sign_out_everywhere",
        "Sign out everywhere",
        "모든 곳에서 로그아웃",
    ),
    (
        "sign_out_everywhere_confirm",
        "End every session of your account, this one included? You will need to sign in again.",
        "이 세션을 포함하여 계정의 모든 세션을 종료할까요? 다시 로그인해야 합니다.",
    ),
    (
        "no_memberships",
        "You are not a member of any publisher now. Ask an owner to invite you.",
        "현재 어떤 게시자에도 속해 있지 않습니다. 소유자에게 초대를 요청하세요.",
    ),
    (
        "not_a_member",
        "You are not a member of this publisher.",
        "이 게시자의 구성원이 아닙니다.",
    ),
    ("address", "Address", "주소"),
    ("actions", "Actions", "작업"),
    // Invitations.
    ("invitation_title", "Invitation", "초대"),
    (
        "invited_by",
        "{who} invited you to {publisher} as {what}.",
        "{who}님이 {publisher}에 {what}(으)로 초대했습니다.",
    ),
    (
        "invited_as_reviewer",
        "a reviewer of the previews for subscription {subscription}",
        "구독 {subscription}의 미리 보기 검토자",
    ),
    ("invitation_for", "The invitation is for", "초대 대상:"),
    (
        "accept_existing_help",
        "You already have an account: enter its password to accept.",
        "이미 계정이 있습니다. 수락하려면 계정의 비밀번호를 입력하세요.",
    ),
    (
        "accept_new_help",
        "Create your account: your name as your team will see it, and a password.",
        "계정을 만드세요. 팀에 표시될 이름과 비밀번호를 입력합니다.",
    ),
    (
        "existing_password_help",
        "The password you sign in to Partner Portal with.",
        "파트너 포털에 로그인할 때 사용하는 비밀번호입니다.",
    ),
    ("accept_invitation", "Accept the invitation", "초대 수락"),
    (
        "ask_new_invitation",
        "Ask the person who invited you for a new invitation.",
        "초대한 사람에게 새 초대를 요청하세요.",
    ),
    // The team.
    ("team", "Team", "팀"),
    ("members", "Members", "구성원"),
    ("member", "Member", "구성원"),
    ("role", "Role", "역할"),
    ("role_of", "Role of {name}", "{name}의 역할"),
    ("joined", "Joined", "가입"),
    ("last_sign_in", "Last sign-in", "마지막 로그인"),
    (
        "last_owner_note",
        "The only owner: make someone else an owner before changing this role.",
        "유일한 소유자입니다. 이 역할을 바꾸려면 먼저 다른 사람을 소유자로 지정하세요.",
    ),
    ("remove_member", "Remove from the team", "팀에서 제거"),
    (
        "remove_member_confirm",
        "Remove {name} from {publisher}? Their sessions and API keys for it stop working at once.",
        "{publisher}에서 {name}님을 제거할까요? 이 게시자에 대한 세션과 API 키가 즉시 작동을 멈춥니다.",
    ),
    ("invitations", "Pending invitations", "대기 중인 초대"),
    (
        "no_invitations",
        "No invitation is waiting for an answer.",
        "응답을 기다리는 초대가 없습니다.",
    ),
    ("invited_as", "Invited as", "초대 역할"),
    ("invited_by_col", "Invited by", "초대한 사람"),
    ("revoke", "Revoke", "철회"),
    ("invite", "Invite someone", "초대하기"),
    ("invite_as", "Invite as", "초대 유형"),
    (
        "invite_member",
        "A member with a role",
        "역할이 있는 구성원",
    ),
    (
        "invite_reviewer",
        "A reviewer of previews",
        "미리 보기 검토자",
    ),
    ("subscription_id", "Azure subscription ID", "Azure 구독 ID"),
    (
        "subscription_help",
        "A subscription on the preview allow-list of one of your offers; the reviewer sees those previews only.",
        "제품의 미리 보기 허용 목록에 있는 구독입니다. 검토자는 해당 미리 보기만 볼 수 있습니다.",
    ),
    ("send_invitation", "Send invitation", "초대 보내기"),
    (
        "invitation_sent",
        "Invitation sent to {email}: the link was e-mailed. You can also copy it now; it is not shown again, works once and expires.",
        "{email}(으)로 초대를 보냈습니다. 링크가 전자 메일로 발송되었습니다. 지금 복사할 수도 있으며, 다시 표시되지 않고 한 번만 사용할 수 있으며 만료됩니다.",
    ),
    ("invitation_link", "Invitation link", "초대 링크"),
    ("copy", "Copy", "복사"),
    ("copied", "Copied.", "복사되었습니다."),
    (
        "copy_by_hand",
        "Could not copy: the text is selected, press Ctrl+C.",
        "복사하지 못했습니다. 텍스트가 선택되어 있으니 Ctrl+C를 누르세요.",
    ),
    // API keys.
    ("api_keys", "API keys", "API 키"),
    (
        "api_keys_help",
        "Keys for CI pipelines and scripts, used as a bearer token with the API.",
        "CI 파이프라인과 스크립트용 키로, API에서 전달자 토큰으로 사용합니다.",
    ),
    ("no_keys", "No API keys yet.", "아직 API 키가 없습니다."),
    ("key_name", "Key name", "키 이름"),
    ("key_offers", "Offers", "제품"),
    ("all_offers_scope", "All offers", "모든 제품"),
    ("created_by", "Created by", "만든 사람"),
    ("last_used", "Last used", "마지막 사용"),
    ("never", "Never", "없음"),
    ("revoke_key", "Revoke API key", "API 키 철회"),
    (
        "revoke_key_confirm",
        "Revoke the key “{name}”? Anything using it is refused from its next request.",
        "“{name}” 키를 철회할까요? 이 키를 사용하는 요청은 다음 요청부터 거부됩니다.",
    ),
    ("create_key", "Create API key", "API 키 만들기"),
    (
        "key_role_help",
        "No higher than your own role.",
        "자신의 역할보다 높을 수 없습니다.",
    ),
    (
        "key_role_too_high",
        "A key cannot have a higher role than yours ({role}).",
        "키에는 자신의 역할({role})보다 높은 역할을 줄 수 없습니다.",
    ),
    (
        "key_expires",
        "Last day (optional)",
        "마지막 사용일(선택 사항)",
    ),
    (
        "key_expires_help",
        "The key stops working when this day ends (UTC). Leave empty for no expiry.",
        "이 날이 끝나면(UTC) 키가 작동을 멈춥니다. 만료가 없으면 비워 두세요.",
    ),
    (
        "key_expiry_past",
        "Choose today or a later day.",
        "오늘 또는 이후 날짜를 선택하세요.",
    ),
    (
        "key_expiry_invalid",
        "Enter a date as YYYY-MM-DD.",
        "날짜를 YYYY-MM-DD 형식으로 입력하세요.",
    ),
    (
        "key_offers_limit",
        "Limit to offers (optional)",
        "제품으로 제한(선택 사항)",
    ),
    (
        "key_offers_help",
        "Choose none for a key that works on every offer.",
        "모든 제품에 사용할 키라면 아무것도 선택하지 마세요.",
    ),
    (
        "key_created",
        "Key “{name}” created. Copy it now: it is shown only this once.",
        "“{name}” 키가 만들어졌습니다. 지금 복사하세요. 한 번만 표시됩니다.",
    ),
    ("key_secret", "API key", "API 키"),
    // History.
    ("history_nav", "History", "기록"),
    ("history_title", "Who did what", "작업 기록"),
    (
        "who_did_what",
        "Who did what with this offer",
        "이 제품의 작업 기록",
    ),
    ("export_csv", "Export CSV", "CSV 내보내기"),
    ("actor", "Who", "수행자"),
    ("anyone", "Anyone", "모든 사람"),
    ("offer", "Offer", "제품"),
    ("any_offer", "Any offer", "모든 제품"),
    ("action", "Action", "작업"),
    ("any_action", "Any action", "모든 작업"),
    ("from_date", "From", "시작일"),
    ("to_date", "To", "종료일"),
    ("apply_filters", "Apply", "적용"),
    ("clear_filters", "Clear", "지우기"),
    (
        "dates_reversed",
        "The end date is before the start date.",
        "종료일이 시작일보다 앞섭니다.",
    ),
    ("when", "When", "시각"),
    ("target", "Target", "대상"),
    ("changes", "Changes", "변경 내용"),
    ("changed_values", "changed values", "개 값 변경"),
    ("field", "Field", "필드"),
    ("before", "Before", "이전"),
    ("after", "After", "이후"),
    (
        "no_entries",
        "Nothing recorded matches these filters.",
        "이 필터와 일치하는 기록이 없습니다.",
    ),
    ("load_more", "Load more", "더 보기"),
    ("started_by", "Started by", "시작한 사람"),
    (
        "signed_off_by",
        "Go Live / Cancel by",
        "라이브 전환/취소한 사람",
    ),
];

/// An interface string. Unknown keys show as the key (and a unit test keeps the table whole).
pub fn t(key: &str, lang: Lang) -> &str {
    UI.iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ko)| match lang {
            Lang::En => *en,
            Lang::Ko => *ko,
        })
        .unwrap_or(key)
}

/// Interface text that follows the language, for a view or an attribute. Every use has this
/// one closure type, so the reactive code behind it is compiled once rather than once per
/// string (about a hundred places).
pub fn tr(
    key: &'static str,
    lang: RwSignal<Lang>,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || t(key, lang.get())
}

/// "1 offer", "5 offers" / "제품 5개".
pub fn offer_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En if n == 1 => "1 offer".to_owned(),
        Lang::En => format!("{n} offers"),
        Lang::Ko => format!("제품 {n}개"),
    }
}

/// [`tr`] as a `Signal<String>`, for component props.
pub fn tr_signal(key: &'static str, lang: RwSignal<Lang>) -> Signal<String> {
    Signal::derive(move || t(key, lang.get()).to_owned())
}

/// Short help under a field, keyed by its document key.
const HELP: &[(&str, &str, &str)] = &[
    (
        "id",
        "Unique within your publisher; part of the offer's URL.",
        "게시자 내에서 고유하며 제품 URL의 일부입니다.",
    ),
    (
        "displayText",
        "The name you see in All Offers.",
        "모든 제품 목록에 표시되는 이름입니다.",
    ),
    (
        "microsoft-azure-marketplace.title",
        "Shown as the offer's title in the marketplace.",
        "마켓플레이스에 제품 제목으로 표시됩니다.",
    ),
    (
        "microsoft-azure-marketplace.summary",
        "One sentence shown in search results.",
        "검색 결과에 표시되는 한 문장입니다.",
    ),
    (
        "microsoft-azure-marketplace.longSummary",
        "Shown at the top of the offer's page.",
        "제품 페이지 상단에 표시됩니다.",
    ),
    (
        "microsoft-azure-marketplace.description",
        "Basic HTML allowed: p, b, i, ul, ol, li, a, br.",
        "기본 HTML을 사용할 수 있습니다: p, b, i, ul, ol, li, a, br.",
    ),
    (
        "microsoft-azure-marketplace.offerMarketingUrlIdentifier",
        "Lowercase letters, digits and dashes; used in the marketplace URL.",
        "소문자, 숫자, 대시; 마켓플레이스 URL에 사용됩니다.",
    ),
    (
        "microsoft-azure-marketplace.allowedSubscriptions",
        "Azure subscription IDs (GUIDs) that may open the preview.",
        "미리 보기를 열 수 있는 Azure 구독 ID(GUID)입니다.",
    ),
    (
        "microsoft-azure-marketplace.categories",
        "Up to 5 marketplace categories.",
        "마켓플레이스 범주를 최대 5개까지 선택합니다.",
    ),
    (
        "microsoft-azure-marketplace.usefulLinks",
        "Documentation and other links shown on the offer's page.",
        "제품 페이지에 표시되는 문서 및 기타 링크입니다.",
    ),
    (
        "microsoft-azure-marketplace.leadDestination",
        "Where customer leads are sent.",
        "고객 잠재 고객 정보를 보낼 대상입니다.",
    ),
    (
        "microsoft-azure-marketplace.privacyURL",
        "An https:// link to your privacy policy.",
        "개인정보처리방침의 https:// 링크입니다.",
    ),
    (
        "microsoft-azure-marketplace.termsOfUse",
        "Terms customers accept; basic HTML allowed.",
        "고객이 동의하는 약관; 기본 HTML을 사용할 수 있습니다.",
    ),
    (
        "planId",
        "Lowercase letters, digits and dashes; locked once published.",
        "소문자, 숫자, 대시; 게시 후에는 변경할 수 없습니다.",
    ),
    (
        "microsoft-azure-virtualmachines.recommendedVMSizes",
        "1 to 6 sizes, e.g. Standard_D2s_v3.",
        "1~6개의 크기, 예: Standard_D2s_v3.",
    ),
    (
        "microsoft-azure-virtualmachines.vmImages",
        "Each disk version (x.y.z) with its OS disk and data disks.",
        "각 디스크 버전(x.y.z)과 OS 디스크 및 데이터 디스크입니다.",
    ),
    (
        "osVhdUrl",
        "A SAS URL (https, with read and list permission) of the OS VHD.",
        "OS VHD의 SAS URL(https, 읽기 및 목록 권한)입니다.",
    ),
    (
        "lunVhdUrl",
        "A SAS URL of the data disk's VHD.",
        "데이터 디스크 VHD의 SAS URL입니다.",
    ),
    (
        "regions",
        "Two-letter country/region codes, e.g. US, KR, DE.",
        "두 글자 국가/지역 코드, 예: US, KR, DE.",
    ),
    (
        "microsoft-azure-virtualmachines.cloudAvailability",
        "Where the SKU is offered.",
        "SKU를 제공할 클라우드입니다.",
    ),
];

/// The help text of a field's key, if any.
pub fn help(key: &str, lang: Lang) -> Option<&'static str> {
    HELP.iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ko)| match lang {
            Lang::En => *en,
            Lang::Ko => *ko,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_string_has_both_languages_and_keys_are_unique() {
        for table in [UI, HELP] {
            let mut seen = HashSet::new();
            for (k, en, ko) in table {
                assert!(seen.insert(*k), "duplicate {k}");
                assert!(!en.is_empty() && !ko.is_empty(), "{k}");
                assert_ne!(en, ko, "{k} is not translated");
            }
        }
    }

    #[test]
    fn cpp_korean_wording() {
        assert_eq!(t("publish", Lang::Ko), "게시");
        assert_eq!(t("go_live", Lang::Ko), "라이브로 전환");
        assert_eq!(t("cancel_publish", Lang::Ko), "게시 취소");
        assert_eq!(t("all_offers", Lang::Ko), "모든 제품");
        assert_eq!(offer_count(5, Lang::Ko), "제품 5개");
        assert_eq!(offer_count(1, Lang::En), "1 offer");
        assert_eq!(offer_count(2, Lang::En), "2 offers");
    }
}
