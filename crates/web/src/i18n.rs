//! Vietnamese first, with an English switch. Keys are stable; the API
//! returns keys and the UI translates them (lemmy's habit).

/// Interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    #[must_use]
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// Translator handed to templates: `{{ t.s("nav.home") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// Text for a key; the key itself when missing (visible, never empty).
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        match lookup(key) {
            Some((vi, en)) => match self.lang {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => key,
        }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    MESSAGES
        .iter()
        .chain(crate::imports::MESSAGES)
        .chain(crate::stats::MESSAGES)
        .chain(crate::public::MESSAGES)
        .chain(crate::review::MESSAGES)
        .chain(crate::reconcile_pages::MESSAGES)
        .find(|(k, _, _)| *k == key)
        .map(|(_, vi, en)| (*vi, *en))
}

/// Every message, Vietnamese then English.
pub static MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "Kiều Bào", "Kiều Bào"),
    (
        "app.tagline",
        "Cơ sở dữ liệu người Việt Nam ở nước ngoài của tỉnh",
        "The province's database of overseas Vietnamese",
    ),
    ("nav.home", "Trang chủ", "Home"),
    ("nav.people", "Kiều bào", "People abroad"),
    ("nav.search", "Tìm kiếm", "Search"),
    ("search.title", "Tìm kiếm kiều bào", "Find a person"),
    (
        "search.box",
        "Họ tên, tên khác, số hộ chiếu, điện thoại hoặc email",
        "Name, other name, passport, phone or e-mail",
    ),
    ("search.go", "Tìm", "Search"),
    (
        "search.hint",
        "Gõ họ tên (có dấu hay không dấu, theo thứ tự bất kỳ; thêm năm sinh, ngày sinh hoặc nước nếu cần: \"Hiền 1979\", \"Hiền Nhật Bản\"), số hộ chiếu, số điện thoại hoặc email.",
        "Type a name (with or without diacritics, in any order; add a birth year, a birth date or a country if needed: \"Hiền 1979\", \"Hiền Japan\"), a passport number, a phone number or an e-mail.",
    ),
    ("search.more_than", "Hơn", "More than"),
    ("search.narrowed", "Đã thu hẹp theo", "Narrowed to"),
    ("search.narrowed.born", "năm sinh", "born"),
    ("search.match", "Mức khớp", "Match"),
    ("search.other_name", "tên khác", "other name"),
    (
        "search.export_xlsx",
        "Xuất Excel (.xlsx)",
        "Export to Excel (.xlsx)",
    ),
    ("search.export_csv", "Xuất CSV", "Export to CSV"),
    ("search.kind.identifier", "Giấy tờ / liên lạc", "Identifier"),
    ("search.kind.exact", "Đúng hoàn toàn", "Exact"),
    (
        "search.kind.folded",
        "Đúng (không dấu)",
        "Same without diacritics",
    ),
    (
        "search.kind.reordered",
        "Đúng, khác thứ tự",
        "Same names, another order",
    ),
    ("search.kind.partial", "Một phần tên", "Part of the name"),
    ("search.kind.fuzzy", "Gần đúng", "Close"),
    ("nav.users", "Tài khoản", "Accounts"),
    ("nav.audit", "Nhật ký", "Audit log"),
    ("nav.sign_out", "Đăng xuất", "Sign out"),
    ("nav.switch_lang", "English", "Tiếng Việt"),
    ("login.title", "Đăng nhập", "Sign in"),
    ("login.username", "Tên đăng nhập", "Username"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    ("home.title", "Tổng quan", "Overview"),
    ("home.welcome", "Xin chào", "Welcome"),
    (
        "home.people_in_scope",
        "Kiều bào trong phạm vi quản lý",
        "People abroad in your jurisdiction",
    ),
    ("home.by_category", "Theo nhóm", "By category"),
    ("home.role", "Vai trò", "Role"),
    (
        "home.countries",
        "Số quốc gia, vùng lãnh thổ",
        "Countries and territories",
    ),
    (
        "home.households",
        "Hộ gia đình có thân nhân ở nước ngoài",
        "Households with relatives abroad",
    ),
    (
        "home.statistics_only",
        "Tài khoản của bạn chỉ xem số liệu thống kê.",
        "Your account sees statistics only.",
    ),
    ("common.total", "Tổng", "Total"),
    ("error.title", "Có lỗi", "Something went wrong"),
    (
        "error.bad_credentials",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    (
        "error.rate_limited",
        "Quá nhiều lần thử. Vui lòng thử lại sau.",
        "Too many attempts. Please try again later.",
    ),
    (
        "error.not_found",
        "Không tìm thấy trang hoặc bản ghi.",
        "The page or record was not found.",
    ),
    (
        "error.forbidden",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    ),
    (
        "error.unauthenticated",
        "Vui lòng đăng nhập.",
        "Please sign in.",
    ),
    (
        "error.csrf",
        "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang.",
        "Your session expired or the request was not valid. Please reload the page.",
    ),
    (
        "error.conflict",
        "Dữ liệu đã bị người khác thay đổi.",
        "The data was changed by someone else.",
    ),
    (
        "error.invalid",
        "Dữ liệu chưa hợp lệ.",
        "Some data is not valid.",
    ),
    (
        "error.internal",
        "Lỗi hệ thống. Sự cố đã được ghi lại.",
        "Internal error. The incident was logged.",
    ),
    (
        "error.payload_too_large",
        "Dữ liệu gửi lên quá lớn.",
        "The request is too large.",
    ),
    ("field.username", "Tên đăng nhập", "Username"),
    ("field.password", "Mật khẩu", "Password"),
    (
        "code.password_too_short",
        "Mật khẩu phải có ít nhất 10 ký tự.",
        "The password must have at least 10 characters.",
    ),
    (
        "code.password_too_common",
        "Mật khẩu quá phổ biến hoặc dễ đoán.",
        "The password is too common or easy to guess.",
    ),
    (
        "code.invalid_username",
        "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch (3–64 ký tự).",
        "Usernames use lowercase letters, digits, dots and dashes (3–64 characters).",
    ),
    (
        "code.taken",
        "Đã có người dùng giá trị này.",
        "This value is already taken.",
    ),
    ("code.required", "Bắt buộc nhập.", "Required."),
    ("code.too_long", "Quá dài.", "Too long."),
    ("code.invalid_code", "Mã không hợp lệ.", "Invalid code."),
    (
        "code.required_for_role",
        "Bắt buộc với vai trò này.",
        "Required for this role.",
    ),
    (
        "users.change_access",
        "Đổi vai trò, phạm vi",
        "Change role and jurisdiction",
    ),
    (
        "users.save_access",
        "Lưu vai trò và phạm vi",
        "Save role and jurisdiction",
    ),
    (
        "users.access_hint",
        "Các phiên đăng nhập của tài khoản này sẽ kết thúc; người dùng đăng nhập lại với quyền mới.",
        "This account's sessions end; the user signs in again with the new rights.",
    ),
    (
        "users.access_changed",
        "Đã đổi vai trò và phạm vi; các phiên của tài khoản đã kết thúc.",
        "Role and jurisdiction changed; the account's sessions have ended.",
    ),
    (
        "code.last_admin",
        "Không thể đổi vai trò của quản trị viên cuối cùng.",
        "The last administrator cannot be given another role.",
    ),
    (
        "error.mfa_enrolment_required",
        "Vai trò của bạn bắt buộc xác thực hai lớp: hãy thiết lập trước khi tiếp tục.",
        "Your role requires two-factor sign-in: set it up before going on.",
    ),
    (
        "code.out_of_range",
        "Giá trị nằm ngoài khoảng cho phép.",
        "Value out of range.",
    ),
    (
        "code.unknown_scope",
        "Phạm vi không hợp lệ.",
        "Unknown scope.",
    ),
    ("nav.profile", "Hồ sơ cá nhân", "Profile"),
    ("mfa.title", "Xác thực hai lớp", "Two-factor authentication"),
    (
        "mfa.prompt",
        "Nhập mã 6 chữ số từ ứng dụng xác thực, hoặc một mã khôi phục.",
        "Enter the 6-digit code from your authenticator app, or a recovery code.",
    ),
    ("mfa.code", "Mã xác thực", "Code"),
    ("mfa.submit", "Xác nhận", "Verify"),
    (
        "code.mfa_bad_code",
        "Mã không đúng hoặc đã dùng.",
        "Wrong or already used code.",
    ),
    (
        "code.wrong_password",
        "Mật khẩu hiện tại không đúng.",
        "The current password is wrong.",
    ),
    ("field.code", "Mã xác thực", "Code"),
    (
        "field.current_password",
        "Mật khẩu hiện tại",
        "Current password",
    ),
    ("field.role", "Vai trò", "Role"),
    ("field.commune", "Xã/phường", "Commune"),
    ("field.country", "Quốc gia", "Country"),
    ("field.agency", "Cơ quan", "Agency"),
    ("field.association", "Hội đồng hương", "Association"),
    ("field.name", "Tên", "Name"),
    ("profile.title", "Hồ sơ cá nhân", "Profile"),
    (
        "profile.mfa",
        "Xác thực hai lớp",
        "Two-factor authentication",
    ),
    (
        "profile.mfa_required",
        "Vai trò của bạn bắt buộc xác thực hai lớp. Hãy thiết lập ngay.",
        "Your role requires two-factor authentication. Please set it up now.",
    ),
    (
        "profile.mfa_on",
        "Đã bật xác thực hai lớp",
        "Two-factor authentication is on",
    ),
    (
        "profile.mfa_off",
        "Chưa bật xác thực hai lớp.",
        "Two-factor authentication is off.",
    ),
    (
        "profile.mfa_begin",
        "Thiết lập xác thực hai lớp",
        "Set up two-factor authentication",
    ),
    (
        "profile.mfa_enter_secret",
        "Nhập khoá bí mật này (hoặc địa chỉ otpauth) vào ứng dụng xác thực, rồi nhập mã đang hiển thị.",
        "Enter this secret (or the otpauth address) in your authenticator app, then the code it shows.",
    ),
    (
        "profile.mfa_confirm",
        "Xác nhận và bật",
        "Confirm and turn on",
    ),
    (
        "profile.mfa_disable",
        "Tắt xác thực hai lớp",
        "Turn off two-factor authentication",
    ),
    (
        "profile.mfa_enabled",
        "Đã bật xác thực hai lớp.",
        "Two-factor authentication is now on.",
    ),
    (
        "profile.mfa_disabled",
        "Đã tắt xác thực hai lớp.",
        "Two-factor authentication is now off.",
    ),
    (
        "profile.recovery_codes_once",
        "Mã khôi phục (mỗi mã dùng một lần). Hãy lưu lại ngay: chúng chỉ hiện một lần.",
        "Recovery codes (each works once). Save them now: they are shown only once.",
    ),
    (
        "profile.recovery_left",
        "mã khôi phục còn lại",
        "recovery codes left",
    ),
    ("profile.password", "Đổi mật khẩu", "Change password"),
    (
        "profile.current_password",
        "Mật khẩu hiện tại",
        "Current password",
    ),
    ("profile.new_password", "Mật khẩu mới", "New password"),
    ("profile.change_password", "Đổi mật khẩu", "Change password"),
    (
        "profile.password_changed",
        "Đã đổi mật khẩu; các phiên khác đã kết thúc.",
        "Password changed; other sessions have ended.",
    ),
    ("profile.tokens", "Mã truy cập API", "API tokens"),
    (
        "profile.token_once",
        "Mã truy cập mới (chỉ hiện một lần):",
        "New token (shown only once):",
    ),
    ("profile.token_name", "Tên", "Name"),
    ("profile.token_scope", "Quyền", "Scope"),
    ("profile.token_expires", "Hết hạn", "Expires"),
    ("profile.token_days", "Số ngày hiệu lực", "Valid for (days)"),
    ("profile.token_create", "Tạo mã truy cập", "Create token"),
    ("profile.token_revoke", "Thu hồi", "Revoke"),
    (
        "profile.token_revoked",
        "Đã thu hồi mã truy cập.",
        "Token revoked.",
    ),
    ("profile.token_revoked_label", "đã thu hồi", "revoked"),
    ("profile.token_expired_label", "hết hạn", "expired"),
    ("profile.sessions", "Phiên đăng nhập", "Sessions"),
    (
        "profile.sign_out_everywhere",
        "Đăng xuất khỏi mọi thiết bị",
        "Sign out everywhere",
    ),
    ("users.title", "Quản lý tài khoản", "User administration"),
    ("users.display_name", "Họ tên", "Display name"),
    ("users.role", "Vai trò", "Role"),
    ("users.scopes", "Phạm vi quản lý", "Jurisdiction"),
    ("users.state", "Trạng thái", "State"),
    ("users.active_label", "hoạt động", "active"),
    ("users.disabled_label", "đã khoá", "disabled"),
    ("users.locked_label", "tạm khoá", "locked"),
    ("users.enable", "Mở khoá", "Enable"),
    ("users.disable", "Khoá", "Disable"),
    ("users.reset_password", "Đặt lại mật khẩu", "Reset password"),
    ("users.create", "Tạo tài khoản", "Create account"),
    ("users.jurisdiction", "Phạm vi quản lý", "Jurisdiction"),
    (
        "users.new_communes",
        "Mã xã/phường mới",
        "New commune codes",
    ),
    (
        "users.legacy_communes",
        "Mã xã/phường cũ (trước 01/7/2025)",
        "Legacy commune codes (before 2025-07-01)",
    ),
    (
        "users.legacy_districts",
        "Mã huyện cũ",
        "Legacy district codes",
    ),
    (
        "users.countries",
        "Quốc gia (ISO, ví dụ KR)",
        "Countries (ISO, e.g. KR)",
    ),
    ("users.agency", "Cơ quan", "Agency"),
    ("users.associations", "Mã hội đồng hương", "Association ids"),
    ("users.created", "Đã tạo tài khoản.", "Account created."),
    (
        "users.disabled",
        "Đã khoá tài khoản; các phiên đã kết thúc.",
        "Account disabled; its sessions have ended.",
    ),
    ("users.enabled", "Đã mở khoá tài khoản.", "Account enabled."),
    (
        "users.mfa_reset",
        "Đặt lại xác thực hai lớp",
        "Reset two-factor",
    ),
    (
        "users.mfa_reset_done",
        "Đã đặt lại xác thực hai lớp; các phiên đã kết thúc.",
        "Two-factor reset; sessions have ended.",
    ),
    (
        "users.password_reset",
        "Đã đặt lại mật khẩu; các phiên đã kết thúc.",
        "Password reset; sessions have ended.",
    ),
    ("audit.title", "Nhật ký hệ thống", "Audit log"),
    ("audit.actor", "Người thực hiện", "Actor"),
    ("audit.action", "Hành động", "Action"),
    ("audit.entity", "Đối tượng", "Entity"),
    ("audit.entity_id", "Mã đối tượng", "Entity id"),
    ("audit.at", "Thời điểm", "When"),
    ("audit.details", "Chi tiết", "Details"),
    ("audit.filter", "Lọc", "Filter"),
    ("audit.export", "Xuất Excel", "Export to Excel"),
    ("audit.older", "Cũ hơn →", "Older →"),
    ("people.title", "Kiều bào", "People abroad"),
    ("people.new", "Thêm kiều bào", "Add a person"),
    ("people.edit", "Sửa thông tin", "Edit"),
    ("people.save", "Lưu", "Save"),
    ("people.search", "Tìm theo tên", "Search by name"),
    ("people.filter", "Lọc", "Filter"),
    ("people.any", "(tất cả)", "(any)"),
    ("people.none", "(chưa chọn)", "(none)"),
    ("people.prev", "Trang trước", "Previous"),
    ("people.next", "Trang sau", "Next"),
    ("people.legacy_district", "Huyện (cũ)", "District (legacy)"),
    ("people.source", "Nguồn", "Source"),
    ("people.survey_round", "Đợt điều tra", "Survey round"),
    (
        "people.show_deleted",
        "Chỉ bản ghi đã xoá",
        "Deleted records only",
    ),
    ("people.tab_profile", "Thông tin", "Profile"),
    (
        "people.tab_relatives",
        "Thân nhân và hộ gia đình",
        "Relatives and households",
    ),
    ("people.tab_sources", "Nguồn dữ liệu", "Sources"),
    ("people.tab_history", "Lịch sử", "History"),
    ("people.tab_views", "Nhật ký truy cập", "Access log"),
    (
        "people.reveal",
        "Hiện thông tin nhạy cảm",
        "Show sensitive fields",
    ),
    ("people.delete", "Xoá", "Delete"),
    ("people.delete_reason", "Lý do xoá", "Reason for deleting"),
    ("people.deleted_at", "Đã xoá lúc", "Deleted at"),
    ("people.undelete", "Khôi phục bản ghi", "Restore the record"),
    (
        "people.restore",
        "Khôi phục phiên bản này",
        "Restore this version",
    ),
    ("people.household", "Hộ gia đình", "Household"),
    ("people.relative", "Thân nhân", "Relative"),
    ("people.relationship", "Quan hệ", "Relationship"),
    ("people.birth_year", "Năm sinh", "Birth year"),
    ("people.list_name", "Danh sách", "List"),
    ("people.row", "Dòng", "Row"),
    ("people.version", "Phiên bản", "Version"),
    ("people.when", "Thời điểm", "When"),
    ("people.who", "Người thực hiện", "Who"),
    ("people.changes", "Thay đổi", "Changes"),
    ("people.action", "Thao tác", "Action"),
    (
        "people.conflict_help",
        "Bản ghi đã được người khác sửa. Giá trị hiện lưu khác với bạn nhập:",
        "Someone else changed this record. The stored values that differ from yours:",
    ),
    ("field.full_name", "Họ và tên", "Full name"),
    (
        "field.other_names",
        "Tên khác (mỗi dòng một tên)",
        "Other names (one per line)",
    ),
    ("field.gender", "Giới tính", "Gender"),
    ("people.age_band", "Nhóm tuổi", "Age band"),
    ("field.birth_date", "Ngày sinh", "Birth date"),
    ("field.category", "Nhóm", "Category"),
    ("field.generation", "Thế hệ", "Generation"),
    ("field.region_abroad", "Bang/vùng", "Region abroad"),
    ("field.city_abroad", "Thành phố", "City abroad"),
    (
        "field.address_abroad",
        "Địa chỉ ở nước ngoài",
        "Address abroad",
    ),
    ("field.hometown_text", "Quê quán", "Hometown"),
    (
        "field.hometown_code",
        "Mã xã/phường (mới)",
        "Commune code (new)",
    ),
    (
        "field.hometown_legacy_code",
        "Mã xã/phường (cũ)",
        "Commune code (legacy)",
    ),
    ("field.departure_year", "Năm xuất cảnh", "Year of departure"),
    ("field.passport_no", "Số hộ chiếu", "Passport number"),
    ("field.id_no", "Số định danh", "ID number"),
    ("field.phone", "Điện thoại", "Phone"),
    ("field.email", "Thư điện tử", "Email"),
    ("field.occupation", "Nghề nghiệp", "Occupation"),
    ("field.education", "Trình độ học vấn", "Education"),
    (
        "field.expertise",
        "Lĩnh vực chuyên môn",
        "Field of expertise",
    ),
    (
        "field.tags",
        "Tiêu biểu (mã, cách nhau dấu phẩy)",
        "Notable tags (codes, comma separated)",
    ),
    (
        "field.enterprise",
        "Doanh nghiệp, tổ chức",
        "Enterprise or organisation",
    ),
    ("field.status", "Tình trạng", "Status"),
    ("field.consent", "Đồng ý xử lý dữ liệu", "Consent"),
    ("field.verification", "Xác minh", "Verification"),
    ("field.notes", "Ghi chú", "Notes"),
    ("field.reason", "Lý do", "Reason"),
    ("field.version", "Phiên bản", "Version"),
    (
        "code.control_chars",
        "Có ký tự điều khiển không hợp lệ.",
        "Contains control characters.",
    ),
    (
        "code.unknown_country",
        "Không có quốc gia này.",
        "Unknown country.",
    ),
    (
        "code.unknown_commune",
        "Không có xã/phường với mã này.",
        "Unknown commune code.",
    ),
    (
        "code.in_future",
        "Ngày nằm trong tương lai.",
        "The date is in the future.",
    ),
    (
        "code.invalid_date",
        "Ngày không hợp lệ (năm, tháng/năm hoặc ngày/tháng/năm).",
        "Invalid date (year, month/year or day/month/year).",
    ),
    ("code.invalid_year", "Năm không hợp lệ.", "Invalid year."),
    (
        "code.before_birth",
        "Năm xuất cảnh trước năm sinh.",
        "Departure before birth.",
    ),
    (
        "code.invalid_phone",
        "Số điện thoại không hợp lệ.",
        "Invalid phone number.",
    ),
    (
        "code.invalid_email",
        "Thư điện tử không hợp lệ.",
        "Invalid email address.",
    ),
    (
        "code.out_of_jurisdiction",
        "Ngoài phạm vi quản lý của bạn.",
        "Outside your jurisdiction.",
    ),
    (
        "code.unknown_field",
        "Trường không được hỗ trợ.",
        "Unknown field.",
    ),
    (
        "code.invalid_json",
        "Dữ liệu JSON không hợp lệ.",
        "Invalid JSON.",
    ),
    ("people.add_relative", "Thêm thân nhân", "Add a relative"),
    ("field.head_name", "Chủ hộ", "Head of household"),
    ("field.address", "Địa chỉ", "Address"),
    ("field.commune_code", "Mã xã/phường", "Commune code"),
    ("field.relationship", "Quan hệ", "Relationship"),
    ("field.birth_year", "Năm sinh", "Birth year"),
    ("field.household_id", "Hộ gia đình", "Household"),
    (
        "household.relatives",
        "Thân nhân trong hộ",
        "Relatives in the household",
    ),
    (
        "household.person_abroad",
        "Người ở nước ngoài",
        "Person abroad",
    ),
    ("household.edit", "Sửa thông tin hộ", "Edit the household"),
    (
        "household.no_relatives",
        "Chưa có thân nhân nào trong phạm vi của bạn.",
        "No relatives within your jurisdiction yet.",
    ),
    (
        "field.legacy_commune_code",
        "Mã xã cũ (trước 2025)",
        "Legacy commune code (before 2025)",
    ),
    ("people.remove_relative", "Xoá thân nhân", "Remove"),
    (
        "people.existing_household",
        "Số hộ có sẵn (để trống: hộ mới)",
        "Existing household no. (empty: a new one)",
    ),
    (
        "field.nationalities",
        "Quốc tịch (mã 2 chữ, cách nhau dấu phẩy)",
        "Nationalities (two-letter codes, comma separated)",
    ),
    (
        "field.social",
        "Mạng xã hội (mỗi dòng một tài khoản)",
        "Social accounts (one a line)",
    ),
    ("field.income_bracket", "Mức thu nhập", "Income bracket"),
    ("field.remittance", "Kiều hối", "Remittances"),
    (
        "field.associations",
        "Hội, đoàn thể (mỗi dòng một tên)",
        "Associations (one name a line)",
    ),
    ("code.too_many", "Quá nhiều mục.", "Too many entries."),
    (
        "code.unknown_association",
        "Không có hội nào mang tên này.",
        "No association has this name.",
    ),
    (
        "code.invalid_number",
        "Phải là một số.",
        "Must be a number.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t.s("key")` of every template names a message (a missing key
    /// would show the key itself to the user).
    #[test]
    fn every_key_the_templates_use_exists() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "html") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut files,
        );
        assert!(files.len() > 10, "templates found");
        let mut missing = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for part in text.split("t.s(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if lookup(key).is_none() {
                    missing.push(format!("{}: {key}", f.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys without a message: {missing:?}");
    }

    #[test]
    fn every_key_is_unique_and_translated() {
        let all = || {
            MESSAGES
                .iter()
                .chain(crate::imports::MESSAGES)
                .chain(crate::stats::MESSAGES)
                .chain(crate::public::MESSAGES)
                .chain(crate::review::MESSAGES)
                .chain(crate::reconcile_pages::MESSAGES)
        };
        let mut keys: Vec<&str> = all().map(|m| m.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate message keys");
        for (k, vi, en) in all() {
            assert!(!vi.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    #[test]
    fn vietnamese_is_the_default() {
        assert_eq!(Tr::default().s("login.title"), "Đăng nhập");
        assert_eq!(Tr::new(Lang::En).s("login.title"), "Sign in");
        assert_eq!(Tr::default().s("no.such.key"), "no.such.key");
    }
}
