### Tài khoản: đăng nhập, hồ sơ, xác thực hai lớp, quản trị tài khoản, nhật ký kiểm toán.
### Keys are the message keys of the code with "." written "-".

login-title = Đăng nhập
login-username = Tên đăng nhập
login-password = Mật khẩu
login-submit = Đăng nhập

users-change_access = Đổi vai trò, phạm vi
users-save_access = Lưu vai trò và phạm vi
users-access_hint = Các phiên đăng nhập của tài khoản này sẽ kết thúc; người dùng đăng nhập lại với quyền mới.
users-access_changed = Đã đổi vai trò và phạm vi; các phiên của tài khoản đã kết thúc.

mfa-title = Xác thực hai lớp
mfa-prompt = Nhập mã 6 chữ số từ ứng dụng xác thực, hoặc một mã khôi phục.
mfa-code = Mã xác thực
mfa-submit = Xác nhận

profile-title = Hồ sơ cá nhân
profile-mfa = Xác thực hai lớp
profile-mfa_required = Vai trò của bạn bắt buộc xác thực hai lớp. Hãy thiết lập ngay.
profile-mfa_on = Đã bật xác thực hai lớp
profile-mfa_off = Chưa bật xác thực hai lớp.
profile-mfa_begin = Thiết lập xác thực hai lớp
profile-mfa_enter_secret = Nhập khoá bí mật này (hoặc địa chỉ otpauth) vào ứng dụng xác thực, rồi nhập mã đang hiển thị.
profile-mfa_confirm = Xác nhận và bật
profile-mfa_disable = Tắt xác thực hai lớp
profile-mfa_enabled = Đã bật xác thực hai lớp.
profile-mfa_disabled = Đã tắt xác thực hai lớp.
profile-recovery_codes_once = Mã khôi phục (mỗi mã dùng một lần). Hãy lưu lại ngay: chúng chỉ hiện một lần.
profile-recovery_left = mã khôi phục còn lại
profile-password = Đổi mật khẩu
profile-current_password = Mật khẩu hiện tại
profile-new_password = Mật khẩu mới
profile-change_password = Đổi mật khẩu
profile-password_changed = Đã đổi mật khẩu; các phiên khác đã kết thúc.
profile-tokens = Mã truy cập API
profile-token_once = Mã truy cập mới (chỉ hiện một lần):
profile-token_name = Tên
profile-token_scope = Quyền
profile-token_expires = Hết hạn
profile-token_days = Số ngày hiệu lực
profile-token_create = Tạo mã truy cập
profile-token_revoke = Thu hồi
profile-token_revoked = Đã thu hồi mã truy cập.
profile-token_revoked_label = đã thu hồi
profile-token_expired_label = hết hạn
profile-sessions = Phiên đăng nhập
profile-sign_out_everywhere = Đăng xuất khỏi mọi thiết bị

users-title = Quản lý tài khoản
users-display_name = Họ tên
users-role = Vai trò
users-scopes = Phạm vi quản lý
users-state = Trạng thái
users-active_label = hoạt động
users-disabled_label = đã khoá
users-locked_label = tạm khoá
users-enable = Mở khoá
users-disable = Khoá
users-reset_password = Đặt lại mật khẩu
users-create = Tạo tài khoản
users-jurisdiction = Phạm vi quản lý
users-new_communes = Mã xã/phường mới
users-legacy_communes = Mã xã/phường cũ (trước 01/7/2025)
users-legacy_districts = Mã huyện cũ
users-countries = Quốc gia (ISO, ví dụ KR)
users-agency = Cơ quan
users-associations = Mã hội đồng hương
users-created = Đã tạo tài khoản.
users-disabled = Đã khoá tài khoản; các phiên đã kết thúc.
users-enabled = Đã mở khoá tài khoản.
users-mfa_reset = Đặt lại xác thực hai lớp
users-mfa_reset_done = Đã đặt lại xác thực hai lớp; các phiên đã kết thúc.
users-password_reset = Đã đặt lại mật khẩu; các phiên đã kết thúc.

audit-title = Nhật ký hệ thống
audit-actor = Người thực hiện
audit-action = Hành động
audit-entity = Đối tượng
audit-entity_id = Mã đối tượng
audit-at = Thời điểm
audit-details = Chi tiết
audit-filter = Lọc
audit-export = Xuất Excel
audit-older = Cũ hơn →
profile-mfa_scan = Quét mã này bằng ứng dụng xác thực (Google Authenticator, Microsoft Authenticator...), hoặc nhập khoá ở trên.
