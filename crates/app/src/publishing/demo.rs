//! Demo content for `serve --demo`: a dozen news items, real legal
//! documents that matter to overseas Vietnamese (by number, title and dates
//! only; a date we are not sure of is left empty), five procedure guides,
//! policies and FAQs, all in Vietnamese and English. Added once, to a
//! database that holds no content.

use super::content::{ContentInput, create_as_system};
use crate::{App, AppResult, clock};

/// The national public-service portal.
const PORTAL: &str = "https://dichvucong.gov.vn";

fn base(kind: &str, vi: [&str; 3], en: [&str; 3]) -> ContentInput {
    let s = |v: &str| Some(v.to_owned());
    ContentInput {
        kind: s(kind),
        title_vi: s(vi[0]),
        summary_vi: s(vi[1]),
        body_vi: s(vi[2]),
        title_en: s(en[0]),
        summary_en: s(en[1]),
        body_en: s(en[2]),
        ..ContentInput::default()
    }
}

fn news(category: &str, tags: &str, vi: [&str; 3], en: [&str; 3]) -> ContentInput {
    ContentInput {
        category: Some(category.to_owned()),
        tags: Some(tags.to_owned()),
        ..base("news", vi, en)
    }
}

/// A legal document: number, type, issuing body, signed and effective
/// days (`dd/mm/yyyy`, empty when unsure), status, field, Vietnamese and
/// English titles.
#[allow(clippy::too_many_arguments, reason = "one row of the library")]
fn law(
    number: &str,
    doc_type: &str,
    body: &str,
    signed: &str,
    effective: &str,
    status: &str,
    field: &str,
    vi: [&str; 2],
    en: [&str; 2],
) -> ContentInput {
    let s = |v: &str| Some(v.to_owned());
    ContentInput {
        doc_number: s(number),
        doc_type: s(doc_type),
        issuing_body: s(body),
        signed_on: s(signed),
        effective_on: s(effective),
        legal_status: s(status),
        field: s(field),
        scope: s("vietnam"),
        ..base("legal_document", [vi[0], vi[1], ""], [en[0], en[1], ""])
    }
}

/// A procedure guide: field, legal basis, and per language
/// [name, summary, audience, steps, documents, fees, time, authority, address].
fn procedure(field: &str, basis: &[&str], vi: [&str; 9], en: [&str; 9]) -> ContentInput {
    let s = |v: &str| Some(v.to_owned());
    ContentInput {
        kind: s("procedure"),
        field: s(field),
        online_url: s(PORTAL),
        legal_basis: Some(basis.iter().map(|b| (*b).to_owned()).collect()),
        title_vi: s(vi[0]),
        summary_vi: s(vi[1]),
        audience_vi: s(vi[2]),
        steps_vi: s(vi[3]),
        documents_vi: s(vi[4]),
        fees_vi: s(vi[5]),
        processing_time_vi: s(vi[6]),
        authority_vi: s(vi[7]),
        authority_address_vi: s(vi[8]),
        title_en: s(en[0]),
        summary_en: s(en[1]),
        audience_en: s(en[2]),
        steps_en: s(en[3]),
        documents_en: s(en[4]),
        fees_en: s(en[5]),
        processing_time_en: s(en[6]),
        authority_en: s(en[7]),
        authority_address_en: s(en[8]),
        ..ContentInput::default()
    }
}

fn documents() -> Vec<ContentInput> {
    let mut land = law(
        "31/2024/QH15",
        "law",
        "national_assembly",
        "18/01/2024",
        "01/08/2024",
        "in_force",
        "property",
        [
            "Luật Đất đai",
            "Quy định quyền sử dụng đất của người Việt Nam định cư ở nước ngoài là công dân Việt Nam và người gốc Việt Nam.",
        ],
        [
            "Land Law",
            "Sets out the land-use rights of overseas Vietnamese citizens and of people of Vietnamese origin.",
        ],
    );
    land.replaces = Some(vec!["45/2013/QH13".into()]);
    let mut housing = law(
        "27/2023/QH15",
        "law",
        "national_assembly",
        "27/11/2023",
        "01/08/2024",
        "in_force",
        "property",
        [
            "Luật Nhà ở",
            "Quy định việc sở hữu nhà ở tại Việt Nam, trong đó có người Việt Nam định cư ở nước ngoài.",
        ],
        [
            "Housing Law",
            "Governs owning a home in Vietnam, including for Vietnamese people settled abroad.",
        ],
    );
    housing.replaces = Some(vec!["65/2014/QH13".into()]);
    let mut nationality_2025 = law(
        "79/2025/QH15",
        "law",
        "national_assembly",
        "24/06/2025",
        "01/07/2025",
        "in_force",
        "nationality",
        [
            "Luật sửa đổi, bổ sung một số điều của Luật Quốc tịch Việt Nam",
            "Sửa đổi các điều kiện nhập, trở lại quốc tịch Việt Nam, tạo thuận lợi hơn cho người gốc Việt Nam.",
        ],
        [
            "Law amending and supplementing some articles of the Law on Vietnamese Nationality",
            "Eases the conditions for people of Vietnamese origin to acquire or regain Vietnamese nationality.",
        ],
    );
    nationality_2025.amends = Some(vec!["24/2008/QH12".into()]);
    let mut decree = law(
        "356/2025/NĐ-CP",
        "decree",
        "government",
        "",
        "",
        "in_force",
        "personal_data",
        [
            "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Bảo vệ dữ liệu cá nhân",
            "Hướng dẫn thi hành Luật Bảo vệ dữ liệu cá nhân, trong đó có dữ liệu cá nhân nhạy cảm.",
        ],
        [
            "Decree detailing some articles of, and measures to implement, the Law on Personal Data Protection",
            "Guides the implementation of the Law on Personal Data Protection, including sensitive personal data.",
        ],
    );
    decree.amends = None;
    vec![
        law(
            "45/2013/QH13",
            "law",
            "national_assembly",
            "29/11/2013",
            "01/07/2014",
            "expired",
            "property",
            [
                "Luật Đất đai năm 2013",
                "Luật Đất đai trước đây, nay đã được thay thế.",
            ],
            ["Land Law of 2013", "The former Land Law, since replaced."],
        ),
        law(
            "65/2014/QH13",
            "law",
            "national_assembly",
            "25/11/2014",
            "01/07/2015",
            "expired",
            "property",
            [
                "Luật Nhà ở năm 2014",
                "Luật Nhà ở trước đây, nay đã được thay thế.",
            ],
            [
                "Housing Law of 2014",
                "The former Housing Law, since replaced.",
            ],
        ),
        land,
        housing,
        law(
            "24/2008/QH12",
            "law",
            "national_assembly",
            "13/11/2008",
            "01/07/2009",
            "in_force",
            "nationality",
            [
                "Luật Quốc tịch Việt Nam",
                "Quy định về quốc tịch Việt Nam: có, nhập, thôi, trở lại quốc tịch Việt Nam.",
            ],
            [
                "Law on Vietnamese Nationality",
                "Rules on holding, acquiring, renouncing and regaining Vietnamese nationality.",
            ],
        ),
        nationality_2025,
        law(
            "49/2019/QH14",
            "law",
            "national_assembly",
            "22/11/2019",
            "01/07/2020",
            "in_force",
            "entry_exit",
            [
                "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
                "Quyền, nghĩa vụ và thủ tục xuất cảnh, nhập cảnh của công dân Việt Nam, cấp hộ chiếu.",
            ],
            [
                "Law on Exit and Entry of Vietnamese Citizens",
                "Rights, duties and procedures for Vietnamese citizens leaving and entering Vietnam; passports.",
            ],
        ),
        law(
            "47/2014/QH13",
            "law",
            "national_assembly",
            "16/06/2014",
            "01/01/2015",
            "in_force",
            "entry_exit",
            [
                "Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam",
                "Áp dụng cho người gốc Việt Nam mang hộ chiếu nước ngoài khi về nước: thị thực, miễn thị thực, tạm trú.",
            ],
            [
                "Law on Entry, Exit, Transit and Residence of Foreigners in Vietnam",
                "Applies to people of Vietnamese origin with foreign passports: visas, visa exemptions, temporary residence.",
            ],
        ),
        law(
            "60/2014/QH13",
            "law",
            "national_assembly",
            "20/11/2014",
            "01/01/2016",
            "in_force",
            "residence",
            [
                "Luật Hộ tịch",
                "Đăng ký khai sinh, kết hôn, khai tử, trong đó có việc hộ tịch có yếu tố nước ngoài.",
            ],
            [
                "Law on Civil Status",
                "Registration of births, marriages and deaths, including those with a foreign element.",
            ],
        ),
        law(
            "91/2025/QH15",
            "law",
            "national_assembly",
            "26/06/2025",
            "01/01/2026",
            "in_force",
            "personal_data",
            [
                "Luật Bảo vệ dữ liệu cá nhân",
                "Nguyên tắc xử lý dữ liệu cá nhân, quyền của chủ thể dữ liệu, sự đồng ý và trách nhiệm của bên xử lý.",
            ],
            [
                "Law on Personal Data Protection",
                "Principles of processing personal data, the data subject's rights, consent and the controller's duties.",
            ],
        ),
        decree,
        law(
            "36-NQ/TW",
            "resolution",
            "politburo",
            "26/03/2004",
            "26/03/2004",
            "in_force",
            "overseas_affairs",
            [
                "Nghị quyết của Bộ Chính trị về công tác đối với người Việt Nam ở nước ngoài",
                "Người Việt Nam ở nước ngoài là bộ phận không tách rời và là nguồn lực của cộng đồng dân tộc Việt Nam.",
            ],
            [
                "Politburo Resolution on work concerning overseas Vietnamese",
                "Overseas Vietnamese are an inseparable part and a resource of the Vietnamese nation.",
            ],
        ),
        law(
            "12-KL/TW",
            "resolution",
            "politburo",
            "12/08/2021",
            "12/08/2021",
            "in_force",
            "overseas_affairs",
            [
                "Kết luận của Bộ Chính trị về công tác người Việt Nam ở nước ngoài trong tình hình mới",
                "Tiếp tục thực hiện Nghị quyết 36-NQ/TW, phát huy nguồn lực kiều bào.",
            ],
            [
                "Politburo Conclusion on overseas Vietnamese affairs in the new situation",
                "Continues Resolution 36-NQ/TW and draws on the overseas community's strengths.",
            ],
        ),
    ]
}

fn procedures() -> Vec<ContentInput> {
    let mission_vi = "Cơ quan đại diện Việt Nam ở nước ngoài nơi người đề nghị cư trú, hoặc Sở Tư pháp tỉnh Hà Tĩnh";
    let mission_en = "The Vietnamese mission in the applicant's country of residence, or the Hà Tĩnh Department of Justice";
    let address_vi = "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh, TP. Hà Tĩnh";
    let address_en = "Hà Tĩnh Public Administration Service Centre, Hà Tĩnh city";
    let fee_vi = "Theo biểu phí, lệ phí hiện hành (xem trên Cổng Dịch vụ công quốc gia).";
    let fee_en = "As set by the current schedule of fees (see the National Public Service Portal).";
    let time_vi = "Theo thời hạn công bố của thủ tục trên Cổng Dịch vụ công quốc gia.";
    let time_en = "As published for the procedure on the National Public Service Portal.";
    vec![
        procedure(
            "nationality",
            &["24/2008/QH12", "79/2025/QH15"],
            [
                "Trở lại quốc tịch Việt Nam",
                "Dành cho người đã mất quốc tịch Việt Nam, nay xin trở lại.",
                "Người đã thôi hoặc bị tước quốc tịch Việt Nam, đang ở nước ngoài hoặc trong nước.",
                "1. Chuẩn bị hồ sơ theo danh mục.\n2. Nộp hồ sơ tại cơ quan có thẩm quyền hoặc trực tuyến.\n3. Nhận giấy hẹn, bổ sung hồ sơ khi được yêu cầu.\n4. Nhận kết quả.",
                "- Đơn xin trở lại quốc tịch Việt Nam\n- Bản khai lý lịch\n- Bản sao hộ chiếu hoặc giấy tờ thay thế\n- Giấy tờ chứng minh đã từng có quốc tịch Việt Nam",
                fee_vi,
                time_vi,
                mission_vi,
                address_vi,
            ],
            [
                "Regaining Vietnamese nationality",
                "For people who lost Vietnamese nationality and wish to regain it.",
                "People who renounced or were deprived of Vietnamese nationality, abroad or in Vietnam.",
                "1. Prepare the file as listed.\n2. Submit it to the competent authority or online.\n3. Keep the appointment slip; add documents when asked.\n4. Receive the decision.",
                "- Application to regain Vietnamese nationality\n- Personal history statement\n- Copy of passport or a substitute document\n- Proof of former Vietnamese nationality",
                fee_en,
                time_en,
                mission_en,
                address_en,
            ],
        ),
        procedure(
            "nationality",
            &["24/2008/QH12"],
            [
                "Xác nhận là người gốc Việt Nam",
                "Cấp giấy xác nhận là người gốc Việt Nam cho người không còn giấy tờ quốc tịch Việt Nam.",
                "Người gốc Việt Nam định cư ở nước ngoài.",
                "1. Điền tờ khai đề nghị xác nhận.\n2. Nộp kèm giấy tờ chứng minh nguồn gốc.\n3. Cơ quan có thẩm quyền xác minh.\n4. Nhận giấy xác nhận.",
                "- Tờ khai đề nghị xác nhận là người gốc Việt Nam\n- Bản sao hộ chiếu nước ngoài\n- Giấy tờ của bản thân hoặc cha, mẹ, ông, bà chứng minh nguồn gốc Việt Nam",
                fee_vi,
                time_vi,
                mission_vi,
                address_vi,
            ],
            [
                "Confirmation of Vietnamese origin",
                "A certificate confirming Vietnamese origin for people without Vietnamese nationality papers.",
                "People of Vietnamese origin settled abroad.",
                "1. Fill in the request form.\n2. Attach proof of origin.\n3. The authority verifies it.\n4. Receive the certificate.",
                "- Request form for confirmation of Vietnamese origin\n- Copy of the foreign passport\n- Documents of the applicant or of parents or grandparents proving Vietnamese origin",
                fee_en,
                time_en,
                mission_en,
                address_en,
            ],
        ),
        procedure(
            "entry_exit",
            &["49/2019/QH14"],
            [
                "Giải quyết cho công dân Việt Nam định cư ở nước ngoài về nước thường trú",
                "Hồi hương: về sinh sống lâu dài tại quê hương Hà Tĩnh.",
                "Công dân Việt Nam định cư ở nước ngoài có hộ chiếu Việt Nam còn giá trị.",
                "1. Nhập cảnh bằng hộ chiếu Việt Nam.\n2. Đăng ký thường trú tại công an xã, phường nơi có chỗ ở hợp pháp.\n3. Nhận kết quả đăng ký.",
                "- Tờ khai thay đổi thông tin cư trú\n- Hộ chiếu Việt Nam còn giá trị\n- Giấy tờ chứng minh chỗ ở hợp pháp",
                fee_vi,
                time_vi,
                "Công an xã, phường nơi đăng ký thường trú",
                "Trụ sở công an xã, phường nơi cư trú",
            ],
            [
                "Returning to live permanently in Vietnam",
                "Repatriation: settling for good in the home province of Hà Tĩnh.",
                "Vietnamese citizens settled abroad holding a valid Vietnamese passport.",
                "1. Enter Vietnam with the Vietnamese passport.\n2. Register permanent residence with the commune or ward police where you lawfully live.\n3. Receive the registration.",
                "- Residence information form\n- Valid Vietnamese passport\n- Proof of a lawful place to live",
                fee_en,
                time_en,
                "Police of the commune or ward of residence",
                "The commune or ward police station",
            ],
        ),
        procedure(
            "property",
            &["27/2023/QH15", "31/2024/QH15"],
            [
                "Sở hữu nhà ở tại Việt Nam của người Việt Nam định cư ở nước ngoài",
                "Điều kiện, giấy tờ để mua, nhận thừa kế, nhận tặng cho nhà ở và đăng ký quyền sở hữu.",
                "Người Việt Nam định cư ở nước ngoài là công dân Việt Nam hoặc người gốc Việt Nam được nhập cảnh.",
                "1. Ký hợp đồng mua bán, tặng cho hoặc có văn bản thừa kế.\n2. Công chứng, chứng thực theo quy định.\n3. Nộp hồ sơ đăng ký tại Văn phòng đăng ký đất đai.\n4. Nhận giấy chứng nhận.",
                "- Hộ chiếu còn giá trị có dấu nhập cảnh\n- Giấy tờ chứng minh là người gốc Việt Nam (nếu mang hộ chiếu nước ngoài)\n- Hợp đồng hoặc văn bản về nhà ở",
                fee_vi,
                time_vi,
                "Văn phòng đăng ký đất đai tỉnh Hà Tĩnh",
                address_vi,
            ],
            [
                "Owning a home in Vietnam as an overseas Vietnamese",
                "Conditions and papers to buy, inherit or receive a home and register its ownership.",
                "Overseas Vietnamese citizens, and people of Vietnamese origin allowed to enter Vietnam.",
                "1. Sign the sale or gift contract, or hold the inheritance papers.\n2. Have them notarised as required.\n3. File the registration with the Land Registration Office.\n4. Receive the certificate.",
                "- Valid passport with an entry stamp\n- Proof of Vietnamese origin (with a foreign passport)\n- The contract or papers on the home",
                fee_en,
                time_en,
                "Hà Tĩnh Land Registration Office",
                address_en,
            ],
        ),
        procedure(
            "marriage",
            &["60/2014/QH13"],
            [
                "Đăng ký kết hôn có yếu tố nước ngoài",
                "Đăng ký kết hôn giữa công dân Việt Nam với người nước ngoài, hoặc giữa công dân Việt Nam định cư ở nước ngoài với nhau.",
                "Hai bên nam, nữ đủ điều kiện kết hôn theo pháp luật Việt Nam.",
                "1. Nộp tờ khai và giấy tờ.\n2. Cơ quan đăng ký hộ tịch nghiên cứu, xác minh.\n3. Hai bên có mặt để ký Giấy chứng nhận kết hôn.",
                "- Tờ khai đăng ký kết hôn\n- Giấy xác nhận tình trạng hôn nhân\n- Giấy xác nhận của cơ sở y tế về sức khỏe tâm thần\n- Bản sao hộ chiếu",
                fee_vi,
                time_vi,
                "Cơ quan đăng ký hộ tịch nơi cư trú của công dân Việt Nam",
                address_vi,
            ],
            [
                "Registering a marriage with a foreign element",
                "Marriage between a Vietnamese citizen and a foreigner, or between overseas Vietnamese citizens.",
                "A man and a woman who meet the conditions to marry under Vietnamese law.",
                "1. Submit the form and papers.\n2. The civil-status office reviews and verifies them.\n3. Both come in person to sign the marriage certificate.",
                "- Marriage registration form\n- Certificate of marital status\n- Medical certificate on mental health\n- Copy of passport",
                fee_en,
                time_en,
                "The civil-status office where the Vietnamese citizen resides",
                address_en,
            ],
        ),
    ]
}

fn news_items() -> Vec<ContentInput> {
    vec![
        news(
            "community",
            "Tết, kiều bào",
            [
                "Xuân quê hương 2027: gặp mặt kiều bào Hà Tĩnh",
                "Tỉnh tổ chức gặp mặt kiều bào về quê đón Tết, lắng nghe ý kiến đóng góp xây dựng quê hương.",
                "Chương trình **Xuân quê hương** năm nay có văn nghệ, thăm các công trình do kiều bào đóng góp và tọa đàm về đầu tư.\n\nKiều bào có thể đăng ký tham dự qua hội đồng hương nơi mình sinh sống.",
            ],
            [
                "Homeland Spring 2027: meeting Hà Tĩnh's overseas community",
                "The province welcomes overseas Vietnamese home for Tết and listens to their ideas for the province.",
                "This year's **Homeland Spring** has a concert, visits to works funded by the overseas community and a talk on investment.\n\nRegister through your hometown association.",
            ],
        ),
        news(
            "economy",
            "đầu tư, kinh tế",
            [
                "Hà Tĩnh giới thiệu cơ hội đầu tư với doanh nhân kiều bào",
                "Hội nghị xúc tiến đầu tư giới thiệu các dự án trọng điểm của tỉnh.",
                "Các sở, ngành giới thiệu dự án về công nghiệp, du lịch và nông nghiệp công nghệ cao. Doanh nhân kiều bào được hướng dẫn thủ tục đầu tư.",
            ],
            [
                "Hà Tĩnh presents investment opportunities to overseas Vietnamese entrepreneurs",
                "An investment promotion conference presents the province's key projects.",
                "Departments presented projects in industry, tourism and high-tech farming, and explained the investment procedures.",
            ],
        ),
        news(
            "visits",
            "đoàn công tác, Nhật Bản",
            [
                "Đoàn công tác của tỉnh thăm cộng đồng người Hà Tĩnh tại Nhật Bản",
                "Đoàn thăm hỏi thực tập sinh, lao động và hội đồng hương tại Tokyo.",
                "Đoàn đã gặp gỡ hội đồng hương, trao đổi về điều kiện làm việc của lao động và kết nối doanh nghiệp.",
            ],
            [
                "Provincial delegation visits the Hà Tĩnh community in Japan",
                "The delegation met trainees, workers and the hometown association in Tokyo.",
                "The delegation met the hometown association, discussed workers' conditions and connected businesses.",
            ],
        ),
        news(
            "policy",
            "dữ liệu cá nhân",
            [
                "Luật Bảo vệ dữ liệu cá nhân có hiệu lực: kiều bào cần biết gì",
                "Những quyền của chủ thể dữ liệu khi cung cấp thông tin cho cơ quan nhà nước.",
                "Luật 91/2025/QH15 quy định quyền được biết, đồng ý, rút lại sự đồng ý, truy cập và yêu cầu xóa dữ liệu. Xem toàn văn trong [thư viện văn bản](/van-ban).",
            ],
            [
                "The Personal Data Protection Law is in force: what overseas Vietnamese should know",
                "Your rights as a data subject when you give information to public bodies.",
                "Law 91/2025/QH15 grants the rights to be informed, to consent, to withdraw consent, to access and to ask for deletion. See the [library](/en/legal-documents).",
            ],
        ),
        news(
            "culture",
            "tiếng Việt, thanh thiếu niên",
            [
                "Trại hè thanh thiếu niên kiều bào về nguồn",
                "Các em thanh thiếu niên kiều bào học tiếng Việt, tìm hiểu văn hóa quê hương.",
                "Trại hè kéo dài hai tuần với các lớp tiếng Việt, thăm di tích lịch sử và giao lưu với học sinh địa phương.",
            ],
            [
                "Summer camp for young overseas Vietnamese",
                "Young people of the overseas community learn Vietnamese and discover their homeland's culture.",
                "The two-week camp has Vietnamese classes, visits to historic sites and exchanges with local pupils.",
            ],
        ),
        news(
            "province",
            "kinh tế - xã hội",
            [
                "Tình hình kinh tế - xã hội của tỉnh năm qua",
                "Tổng quan các kết quả nổi bật về kinh tế, văn hóa, xã hội của tỉnh.",
                "Tỉnh đạt nhiều kết quả về thu hút đầu tư, xây dựng nông thôn mới và chăm lo an sinh xã hội.",
            ],
            [
                "The province's economy and society over the past year",
                "An overview of the main results in the economy, culture and society.",
                "The province made progress in attracting investment, rural development and social welfare.",
            ],
        ),
        news(
            "community",
            "hội đồng hương, Hàn Quốc",
            [
                "Hội đồng hương Hà Tĩnh tại Hàn Quốc ra mắt ban chấp hành mới",
                "Ban chấp hành nhiệm kỳ mới cam kết gắn kết cộng đồng và hướng về quê hương.",
                "Lễ ra mắt có sự tham dự của đại diện cơ quan đại diện Việt Nam và đông đảo bà con.",
            ],
            [
                "Hà Tĩnh hometown association in Korea installs its new board",
                "The new board pledges to bring the community together and stay close to the homeland.",
                "Representatives of the Vietnamese mission and many members of the community attended.",
            ],
        ),
        news(
            "notice",
            "hộ chiếu, thông báo",
            [
                "Thông báo: tiếp nhận hồ sơ trực tuyến cho kiều bào",
                "Nhiều thủ tục có thể nộp trực tuyến qua Cổng Dịch vụ công quốc gia.",
                "Kiều bào có thể nộp hồ sơ trực tuyến tại [Cổng Dịch vụ công quốc gia](https://dichvucong.gov.vn) và theo dõi kết quả.",
            ],
            [
                "Notice: online applications for overseas Vietnamese",
                "Many procedures can be filed online on the National Public Service Portal.",
                "File online at the [National Public Service Portal](https://dichvucong.gov.vn) and follow your application.",
            ],
        ),
        news(
            "community",
            "từ thiện, bão lũ",
            [
                "Kiều bào chung tay hỗ trợ đồng bào vùng lũ",
                "Nhiều hội đoàn kiều bào quyên góp giúp bà con các xã bị ảnh hưởng bởi mưa lũ.",
                "Các khoản đóng góp được chuyển qua Ủy ban MTTQ tỉnh và công khai danh sách.",
            ],
            [
                "Overseas Vietnamese help flood-hit families",
                "Many associations abroad raised funds for families in the flooded communes.",
                "Donations were channelled through the provincial Fatherland Front and published.",
            ],
        ),
        news(
            "economy",
            "du lịch",
            [
                "Du lịch biển Hà Tĩnh đón khách kiều bào",
                "Các điểm du lịch biển giới thiệu sản phẩm mới cho du khách trong và ngoài nước.",
                "Thiên Cầm, Xuân Thành và nhiều điểm đến khác sẵn sàng đón du khách mùa hè.",
            ],
            [
                "Hà Tĩnh's beaches welcome overseas visitors",
                "Seaside destinations present new offers for visitors from home and abroad.",
                "Thiên Cầm, Xuân Thành and other destinations are ready for the summer season.",
            ],
        ),
        news(
            "visits",
            "Đức, lao động",
            [
                "Gặp mặt cộng đồng người Hà Tĩnh tại Đức",
                "Lãnh đạo tỉnh gặp gỡ bà con tại Berlin, thông tin về tình hình quê hương.",
                "Buổi gặp mặt diễn ra ấm cúng; bà con mong muốn có thêm các lớp tiếng Việt cho con em.",
            ],
            [
                "Meeting the Hà Tĩnh community in Germany",
                "Provincial leaders met the community in Berlin and reported on news from home.",
                "The meeting was warm; families asked for more Vietnamese classes for their children.",
            ],
        ),
        news(
            "policy",
            "quốc tịch",
            [
                "Luật Quốc tịch sửa đổi: thuận lợi hơn cho người gốc Việt",
                "Những điểm mới về nhập và trở lại quốc tịch Việt Nam.",
                "Luật 79/2025/QH15 sửa đổi Luật Quốc tịch Việt Nam. Xem [hướng dẫn thủ tục](/thu-tuc).",
            ],
            [
                "Amended Nationality Law: easier for people of Vietnamese origin",
                "What changed for acquiring and regaining Vietnamese nationality.",
                "Law 79/2025/QH15 amends the Law on Vietnamese Nationality. See the [procedure guides](/en/procedures).",
            ],
        ),
    ]
}

fn policies_and_faqs() -> Vec<ContentInput> {
    let mut policy_invest = base(
        "policy",
        [
            "Chính sách khuyến khích kiều bào đầu tư về quê hương",
            "Các ưu đãi và hỗ trợ của tỉnh dành cho nhà đầu tư là người Việt Nam ở nước ngoài.",
            "Tỉnh hỗ trợ thủ tục đầu tư theo cơ chế một cửa, giới thiệu địa điểm và kết nối đối tác.\n\n## Liên hệ\n\nSở Ngoại vụ tỉnh Hà Tĩnh.",
        ],
        [
            "Policy encouraging overseas Vietnamese to invest at home",
            "The province's incentives and support for investors who are overseas Vietnamese.",
            "The province offers one-stop help with investment procedures, site finding and partner matching.\n\n## Contact\n\nHà Tĩnh Department of Foreign Affairs.",
        ],
    );
    policy_invest.category = Some("policy".into());
    let mut policy_language = base(
        "policy",
        [
            "Hỗ trợ dạy và học tiếng Việt cho cộng đồng kiều bào",
            "Tài liệu, giáo viên và lớp học trực tuyến cho con em kiều bào.",
            "Tỉnh phối hợp với các hội đoàn tổ chức lớp tiếng Việt và tặng sách cho các điểm trường.",
        ],
        [
            "Support for teaching Vietnamese to the overseas community",
            "Materials, teachers and online classes for overseas Vietnamese children.",
            "The province works with associations to run Vietnamese classes and donates books to schools.",
        ],
    );
    policy_language.category = Some("culture".into());
    vec![
        policy_invest,
        policy_language,
        base(
            "faq",
            [
                "Tôi mang hộ chiếu nước ngoài, có được mua nhà ở quê không?",
                "",
                "Người gốc Việt Nam được nhập cảnh vào Việt Nam có thể được sở hữu nhà ở theo Luật Nhà ở và Luật Đất đai. Xem [hướng dẫn thủ tục](/thu-tuc).",
            ],
            [
                "I hold a foreign passport: may I buy a home in my home province?",
                "",
                "People of Vietnamese origin allowed to enter Vietnam may own a home under the Housing Law and the Land Law. See the [procedure guides](/en/procedures).",
            ],
        ),
        base(
            "faq",
            [
                "Thông tin tôi khai với tỉnh được dùng vào việc gì?",
                "",
                "Chỉ để phục vụ công tác người Việt Nam ở nước ngoài, trong phạm vi bạn đồng ý, theo Luật Bảo vệ dữ liệu cá nhân.",
            ],
            [
                "What is the information I give the province used for?",
                "",
                "Only for the province's work with overseas Vietnamese, within what you agreed to, under the Personal Data Protection Law.",
            ],
        ),
        base(
            "faq",
            [
                "Làm sao liên hệ hội đồng hương nơi tôi sống?",
                "",
                "Liên hệ Sở Ngoại vụ tỉnh hoặc cơ quan đại diện Việt Nam nơi bạn sống để được giới thiệu.",
            ],
            [
                "How do I reach the hometown association where I live?",
                "",
                "Contact the provincial Department of Foreign Affairs or the Vietnamese mission where you live.",
            ],
        ),
    ]
}

/// Adds the demo content to a database that holds none. Answers how many
/// items were added.
pub async fn seed(app: &App) -> AppResult<usize> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM content_items LIMIT 1")
        .fetch_optional(&app.db.pool)
        .await?;
    if any.is_some() {
        return Ok(0);
    }
    let day = 86_400;
    let mut n = 0;
    // Documents first: others link to them by number.
    for (i, d) in documents().into_iter().enumerate() {
        create_as_system(app, &d, &clock::in_seconds(-(40 + i as i64) * day), false).await?;
        n += 1;
    }
    for (i, p) in procedures().into_iter().enumerate() {
        create_as_system(app, &p, &clock::in_seconds(-(30 + i as i64) * day), i < 3).await?;
        n += 1;
    }
    for (i, p) in policies_and_faqs().into_iter().enumerate() {
        create_as_system(app, &p, &clock::in_seconds(-(20 + i as i64) * day), i < 2).await?;
        n += 1;
    }
    for (i, item) in news_items().into_iter().enumerate() {
        let when = clock::in_seconds(-(i as i64) * 4 * day - 3_600);
        create_as_system(app, &item, &when, i < 2).await?;
        n += 1;
    }
    // A newsletter on the desk, ready to send: the three latest news.
    let latest = super::public::latest(app, "news", "vi", 3, false).await?;
    let items = latest
        .iter()
        .map(|c| c.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO newsletters (lang, subject, intro, items, created_by_name, created_at) \
         VALUES ('vi', $1, $2, $3, 'bientap', $4)",
    )
    .bind("Bản tin kiều bào Hà Tĩnh tháng 12")
    .bind("Kính gửi bà con kiều bào,\n\nSở Ngoại vụ xin gửi những tin nổi bật trong tháng.")
    .bind(&items)
    .bind(clock::in_seconds(-3_600))
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await?;
    Ok(n)
}
