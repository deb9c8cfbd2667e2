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
        "code.out_of_range",
        "Giá trị nằm ngoài khoảng cho phép.",
        "Value out of range.",
    ),
    (
        "code.unknown_scope",
        "Phạm vi không hợp lệ.",
        "Unknown scope.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate message keys");
        for (k, vi, en) in MESSAGES {
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
