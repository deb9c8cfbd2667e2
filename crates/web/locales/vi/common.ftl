### Chung: tên ứng dụng, điều hướng, trang chủ, lỗi, mã và nhãn trường dùng ở mọi khu vực.
### Keys are the message keys of the code with "." written "-".

app-name = Kiều Bào
app-tagline = Cơ sở dữ liệu người Việt Nam ở nước ngoài của tỉnh

nav-home = Trang chủ
nav-people = Kiều bào
nav-search = Tìm kiếm
nav-users = Tài khoản
nav-audit = Nhật ký
nav-sign_out = Đăng xuất
nav-switch_lang = English

home-title = Tổng quan
home-welcome = Xin chào
home-people_in_scope = Kiều bào trong phạm vi quản lý
home-by_category = Theo nhóm
home-role = Vai trò
home-countries = Số quốc gia, vùng lãnh thổ
home-households = Hộ gia đình có thân nhân ở nước ngoài
home-statistics_only = Tài khoản của bạn chỉ xem số liệu thống kê.

common-total = Tổng

error-title = Có lỗi
error-bad_credentials = Tên đăng nhập hoặc mật khẩu không đúng.
error-rate_limited = Quá nhiều lần thử. Vui lòng thử lại sau.
error-not_found = Không tìm thấy trang hoặc bản ghi.
error-forbidden = Bạn không có quyền thực hiện thao tác này.
error-unauthenticated = Vui lòng đăng nhập.
error-csrf = Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang.
error-conflict = Dữ liệu đã bị người khác thay đổi.
error-invalid = Dữ liệu chưa hợp lệ.
error-internal = Lỗi hệ thống. Sự cố đã được ghi lại.
error-payload_too_large = Dữ liệu gửi lên quá lớn.

field-username = Tên đăng nhập
field-password = Mật khẩu

code-password_too_short = Mật khẩu phải có ít nhất 10 ký tự.
code-password_too_common = Mật khẩu quá phổ biến hoặc dễ đoán.
code-invalid_username = Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch (3–64 ký tự).
code-taken = Đã có người dùng giá trị này.
code-required = Bắt buộc nhập.
code-too_long = Quá dài.
code-invalid_code = Giá trị không có trong danh mục.
code-required_for_role = Bắt buộc với vai trò này.
code-last_admin = Không thể đổi vai trò của quản trị viên cuối cùng.

error-mfa_enrolment_required = Vai trò của bạn bắt buộc xác thực hai lớp: hãy thiết lập trước khi tiếp tục.

code-out_of_range = Giá trị nằm ngoài khoảng cho phép.
code-unknown_scope = Phạm vi không hợp lệ.
code-scope_beyond_role = Vai trò của tài khoản không cho phép quyền này.

nav-profile = Hồ sơ cá nhân

code-mfa_bad_code = Mã không đúng hoặc đã dùng.
code-wrong_password = Mật khẩu hiện tại không đúng.

field-code = Mã xác thực
field-current_password = Mật khẩu hiện tại
field-role = Vai trò
field-commune = Xã/phường
field-country = Quốc gia
field-agency = Cơ quan
field-association = Hội đồng hương
field-name = Tên
field-full_name = Họ và tên
field-other_names = Tên khác (mỗi dòng một tên)
field-gender = Giới tính
field-birth_date = Ngày sinh
field-category = Nhóm
field-generation = Thế hệ
field-region_abroad = Bang/vùng
field-city_abroad = Thành phố
field-address_abroad = Địa chỉ ở nước ngoài
field-hometown_text = Quê quán
field-hometown_code = Mã xã/phường (mới)
field-hometown_legacy_code = Mã xã/phường (cũ)
field-departure_year = Năm xuất cảnh
field-passport_no = Số hộ chiếu
field-id_no = Số định danh
field-phone = Điện thoại
field-email = Thư điện tử
field-occupation = Nghề nghiệp
field-education = Trình độ học vấn
field-expertise = Lĩnh vực chuyên môn
field-tags = Tiêu biểu (mã, cách nhau dấu phẩy)
field-enterprise = Doanh nghiệp, tổ chức
field-status = Tình trạng
field-consent = Đồng ý xử lý dữ liệu
field-verification = Xác minh
field-notes = Ghi chú
field-reason = Lý do
field-version = Phiên bản

code-control_chars = Có ký tự điều khiển không hợp lệ.
code-unknown_country = Không có quốc gia này.
code-unknown_commune = Không có xã/phường với mã này.
code-in_future = Ngày nằm trong tương lai.
code-invalid_date = Ngày không hợp lệ (năm, tháng/năm hoặc ngày/tháng/năm).
code-invalid_year = Năm không hợp lệ.
code-before_birth = Năm xuất cảnh trước năm sinh.
code-invalid_phone = Số điện thoại không hợp lệ.
code-invalid_email = Thư điện tử không hợp lệ.
code-out_of_jurisdiction = Ngoài phạm vi quản lý của bạn.
code-unknown_field = Trường không được hỗ trợ.
code-invalid_json = Dữ liệu JSON không hợp lệ.

field-head_name = Chủ hộ
field-address = Địa chỉ
field-commune_code = Mã xã/phường
field-relationship = Quan hệ
field-birth_year = Năm sinh
field-household_id = Hộ gia đình
field-legacy_commune_code = Mã xã cũ (trước 2025)
field-nationalities = Quốc tịch (mã 2 chữ, cách nhau dấu phẩy)
field-social = Mạng xã hội (mỗi dòng một tài khoản)
field-income_bracket = Mức thu nhập
field-remittance = Kiều hối
field-associations = Hội, đoàn thể (mỗi dòng một tên)

code-too_many = Quá nhiều mục.
code-unknown_association = Không có hội nào mang tên này.
code-invalid_number = Phải là một số.

# Values of the wrong type in an API body or parameter.
code-expected_text = Cần một chuỗi chữ.
code-expected_number = Cần một số.
code-expected_list = Cần một danh sách.
code-expected_true_false = Cần giá trị đúng/sai.
code-invalid_value = Giá trị không đọc được.

## Each department's own fields (issue 19)
field-marriage_date = Ngày đăng ký kết hôn
field-spouse_name = Họ tên vợ/chồng
field-spouse_nationality = Quốc tịch vợ/chồng
field-employer_abroad = Nơi làm việc ở nước ngoài
field-contract_term_months = Thời hạn hợp đồng (tháng)
field-sending_company = Doanh nghiệp đưa đi
field-school = Trường theo học
field-field_of_study = Ngành học
field-funding = Kinh phí
field-study_from_year = Năm bắt đầu học
field-study_to_year = Năm kết thúc (dự kiến)
field-sending_agency = Cơ quan cử đi
field-programme = Chương trình đào tạo
field-enterprise_name = Tên doanh nghiệp
field-project = Dự án đầu tư
field-capital = Vốn đầu tư (triệu đồng)
field-sector = Ngành, lĩnh vực
field-citizen_protection_case = Vụ việc bảo hộ công dân
field-field = Trường riêng của cơ quan
field-field_op = Phép so sánh
field-field_value = Giá trị

code-not_with_source_fields = Không lập được số liệu theo trường riêng của cơ quan cho một ngày trong quá khứ; bỏ ngày để xem số liệu hiện tại.

## Words, not codes (issue 21): history, scopes, audit sentences.
common-yes = Có
common-no = Không

history-created = Tạo hồ sơ
history-deleted = Xóa hồ sơ
history-undeleted = Khôi phục hồ sơ đã xóa
history-restored_version = Khôi phục phiên bản
history-merged = Gộp vào đây hồ sơ
history-merged_into = Đã gộp vào hồ sơ
history-unmerged = Tách lại hồ sơ
history-unmerged_from = Tách khỏi hồ sơ
history-imported = Nhập từ danh sách, lần nhập
history-import_undone = Hủy lần nhập
history-visit = Xác minh tại nhà ngày
history-changed = Sửa

scope-new_commune = Xã/phường
scope-legacy_commune = Xã/phường cũ
scope-legacy_district = Huyện cũ
scope-country = Quốc gia
scope-agency = Cơ quan
scope-association = Hội đồng hương

audit-someone = Có người
audit-ip = Địa chỉ IP
audit-did-audit-export = đã xuất nhật ký ra Excel
audit-did-audit-key_rotated = đã thay khóa ký nhật ký
audit-did-backup-create = đã sao lưu toàn bộ cơ sở dữ liệu
audit-did-backup-restore = đã khôi phục cơ sở dữ liệu từ bản sao lưu
audit-did-auth-mfa_failed = nhập sai mã xác thực hai lớp
audit-did-auth-mfa_verified = đã xác thực hai lớp
audit-did-auth-sign_in = đã đăng nhập
audit-did-auth-sign_in_failed = đăng nhập không thành công
audit-did-auth-sign_out_everywhere = đã đăng xuất khỏi mọi thiết bị
audit-did-custom_field-define = đã khai báo trường tùy chỉnh
audit-did-demo-load = đã nạp dữ liệu mẫu
audit-did-household-create = đã tạo hộ gia đình
audit-did-household-update = đã sửa hộ gia đình
audit-did-household-view = đã xem hộ gia đình
audit-did-import-commit = đã ghi vào sổ lần nhập
audit-did-import-remap = đã đổi cách ghép cột của lần nhập
audit-did-import-reshape = đã chọn lại trang tính, dòng tiêu đề của lần nhập
audit-did-import-undo = đã hủy lần nhập
audit-did-import-upload = đã tải lên danh sách, lần nhập
audit-did-import-view_rows = đã xem các dòng của lần nhập
audit-did-linkage-scan = đã rà soát hồ sơ trùng
audit-did-match_pair-decide = đã quyết định về cặp hồ sơ
audit-did-merge-create = đã gộp hồ sơ, lần gộp
audit-did-merge-undo = đã hủy lần gộp
audit-did-mfa-disable = đã tắt xác thực hai lớp
audit-did-mfa-enable = đã bật xác thực hai lớp
audit-did-mfa-reset = đã đặt lại xác thực hai lớp của tài khoản
audit-did-person-create = đã tạo hồ sơ
audit-did-person-delete = đã xóa hồ sơ
audit-did-person-merge = đã gộp vào hồ sơ
audit-did-person-restore = đã khôi phục phiên bản cũ của hồ sơ
audit-did-person-reveal = đã xem thông tin ẩn của hồ sơ
audit-did-person-search = đã tìm kiếm
audit-did-person-search_export_csv = đã xuất kết quả tìm kiếm (CSV)
audit-did-person-search_export_xlsx = đã xuất kết quả tìm kiếm (Excel)
audit-did-person-undelete = đã khôi phục hồ sơ đã xóa
audit-did-person-unmerge = đã tách hồ sơ
audit-did-person-update = đã sửa hồ sơ
audit-did-person-verify = đã cập nhật xác minh của hồ sơ
audit-did-person-view = đã xem hồ sơ
audit-did-reconcile-export = đã xuất danh sách đối chiếu
audit-did-relative-create = đã thêm thân nhân vào hồ sơ
audit-did-relative-delete = đã bỏ thân nhân khỏi hồ sơ
audit-did-relative-update = đã sửa thân nhân của hồ sơ
audit-did-token-create = đã tạo khóa truy cập API
audit-did-token-revoke = đã thu hồi khóa truy cập API
audit-did-user-create = đã tạo tài khoản
audit-did-user-disable = đã khóa tài khoản
audit-did-user-enable = đã mở khóa tài khoản
audit-did-user-password_change = đã đổi mật khẩu của mình
audit-did-user-password_reset = đã đặt lại mật khẩu của tài khoản
audit-did-user-permission_change = đã đổi quyền của tài khoản
audit-did-verification-visit = đã ghi kết quả xác minh tại nhà của hồ sơ

audit-detail-household_id = Hộ gia đình
audit-detail-version = Phiên bản
audit-detail-relative_id = Thân nhân
audit-detail-reason = Lý do
audit-detail-changed = Đã sửa
audit-detail-visit = Lần xác minh
audit-detail-username_sha256 = Tên đăng nhập đã gõ (dạng băm, không lưu tên)
audit-detail-sheet = Trang tính
audit-detail-seed = Số khởi tạo dữ liệu mẫu
audit-detail-round = Đợt điều tra
audit-detail-result = Kết quả
audit-detail-people = Số người
audit-detail-mfa_pending = Còn chờ xác thực hai lớp
audit-detail-method = Cách xác thực
audit-detail-merged = Hồ sơ đã gộp
audit-detail-mapping = Cách ghép cột
audit-detail-key_id = Khóa ký
audit-detail-kept = Hồ sơ giữ lại
audit-detail-header_row = Dòng tiêu đề
audit-detail-created_persons = Số hồ sơ tạo mới
common-date_hint = Ngày/tháng/năm, ví dụ 30/04/1975
common-partial_date_hint = Ngày/tháng/năm (30/04/1975), tháng/năm (04/1975) hoặc năm (1975)
field-id = Số hồ sơ
field-match = Cách tìm thấy
field-score = Điểm khớp

## Field names where a record is read, not typed (the form's labels carry hints).
label-hometown_code = Xã/phường (mới)
label-hometown_legacy_code = Xã/phường (cũ)
label-commune_code = Xã/phường
label-legacy_commune_code = Xã/phường cũ (trước 2025)
label-nationalities = Quốc tịch
label-other_names = Tên khác
label-social = Mạng xã hội
label-associations = Hội, đoàn thể
label-tags = Tiêu biểu
audit-detail-username = Tên đăng nhập
audit-detail-role = Vai trò
audit-detail-scopes = Phạm vi
audit-detail-before = Trước
audit-detail-after = Sau
audit-detail-expires_days = Hết hạn sau (ngày)
audit-detail-user_id = Tài khoản
audit-detail-rows = Số dòng
audit-detail-directory = Thư mục
audit-detail-tables = Số bảng
audit-detail-actor = Người thực hiện
audit-detail-action = Hành động
audit-detail-entity = Đối tượng
audit-detail-entity_id = Mã đối tượng
