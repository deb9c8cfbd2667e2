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
