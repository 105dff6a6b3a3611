"""The demo: the 24th salon of Huai'an's third Talent Day.

Facts from the published article (shared/seed/talent-salon-article.txt): the title, theme,
date, presiding official, attending leaders, the four named speakers and the topics raised.
The other eight speakers, their suggestions and the units' answers are invented but plausible;
their email addresses use the reserved example.com domain.
"""

from talentday.auth.models import Role
from talentday.followup.models import ItemState, Satisfaction
from talentday.registrations.models import TalentTeam
from talentday.units.models import UnitKind

SERIES = "Party-Government Pro-Business Meeting and “Shang Xian Hui” Talent Salon"

SALON_24 = {
    "series": SERIES,
    "edition": 24,
    "title": "24th Party-Government Pro-Business Meeting and “Shang Xian Hui” Talent Salon",
    "theme": "Deepening the integration of industry and talent to create a talent paradise",
    "description": (
        "Held on the third Huai'an Talent Day. The meeting plans and promotes the integration "
        "of industry, technological innovation and talent development, brings government and "
        "enterprises together to solve practical problems, and further improves the "
        "environment in which enterprises and talents are served."
    ),
    # The answers published with the speakers' consent (办理结果公开): see PUBLISHED.
    "results_public": True,
    # 20 September, afternoon, city time (UTC+8).
    "starts_at": (2026, 9, 20, 14, 30),
    "ends_at": (2026, 9, 20, 17, 30),
    "venue": "Huai'an Municipal Administrative Center, Conference Hall 1",
    "host": "Organization Department of the Huai'an Municipal Party Committee",
    "presiding_official": (
        "Sun Hu, Member of the Standing Committee of the Municipal Party Committee "
        "and Minister of the Organization Department"
    ),
    "attending_leaders": "\n".join(
        [
            "Chen Zhichang, Secretary of the Municipal Party Committee (speech)",
            "Xu Lihua",
            "Wang Xianghong",
            "Xiao Tianfeng",
            "Zhang Huiyang",
        ]
    ),
    "title_zh": "第二十四期党政亲商会暨“尚贤会”人才沙龙",
    "theme_zh": "深化产才融合，打造人才乐土",
    "description_zh": (
        "在第三个“淮安人才日”之际举行。会议谋划推进淮安产业转型、科技创新与人才发展深度融合，"
        "促进政企互动，研究解决实际问题，进一步优化服务企业和人才的良好环境。"
    ),
    "venue_zh": "淮安市行政中心第一会议室",
    "host_zh": "中共淮安市委组织部",
    "presiding_official_zh": "市委常委、组织部部长孙虎",
    # The article we hold is the English version: the four city leaders' names are written
    # back into characters from their pinyin, to be checked against the Chinese original.
    "attending_leaders_zh": "\n".join(
        ["市委书记陈之常（讲话）", "许立华", "王向红", "肖天峰", "张徽扬"]
    ),
    "speaking_slots": 12,
    "registration_opens_at": (2026, 8, 20, 9, 0),
    "registration_closes_at": (2026, 9, 13, 18, 0),
}

SALON_25 = {
    "series": SERIES,
    "edition": 25,
    "title": "25th Party-Government Pro-Business Meeting and “Shang Xian Hui” Talent Salon",
    "theme": "Talent chains along the industrial chain: the '333' leading industries",
    "description": (
        "The next salon. Speakers report on the integration of industry and talent in the "
        "city's leading industries, and the units report on the suggestions of the 24th salon."
    ),
    "starts_at": (2027, 3, 20, 14, 30),
    "ends_at": (2027, 3, 20, 17, 30),
    "venue": "Huai'an Municipal Administrative Center, Conference Hall 1",
    "host": "Organization Department of the Huai'an Municipal Party Committee",
    "presiding_official": SALON_24["presiding_official"],
    "attending_leaders": "",
    "title_zh": "第二十五期党政亲商会暨“尚贤会”人才沙龙",
    "theme_zh": "围绕产业链布局人才链：聚焦“333”主导产业",
    "description_zh": (
        "下一期沙龙。发言人围绕全市主导产业的产才融合作交流，"
        "各责任单位通报第二十四期沙龙意见建议的办理情况。"
    ),
    "venue_zh": "淮安市行政中心第一会议室",
    "host_zh": "中共淮安市委组织部",
    "presiding_official_zh": "市委常委、组织部部长孙虎",
    "speaking_slots": 12,
    "registration_opens_at": (2026, 11, 1, 9, 0),
    "registration_closes_at": (2027, 3, 10, 18, 0),
    # The next salon's units answer within 20 working days, on the State Council's calendar.
    "follow_up_days": 20,
    "follow_up_in_working_days": True,
}

UNITS = [
    (
        "Human Resources and Social Security Bureau",
        "市人力资源和社会保障局",
        UnitKind.MUNICIPAL_DEPARTMENT,
    ),
    (
        "Housing and Urban-Rural Development Bureau",
        "市住房和城乡建设局",
        UnitKind.MUNICIPAL_DEPARTMENT,
    ),
    (
        "Industry and Information Technology Bureau",
        "市工业和信息化局",
        UnitKind.MUNICIPAL_DEPARTMENT,
    ),
    ("Science and Technology Bureau", "市科学技术局", UnitKind.MUNICIPAL_DEPARTMENT),
    ("Education Bureau", "市教育局", UnitKind.MUNICIPAL_DEPARTMENT),
    ("Development and Reform Commission", "市发展和改革委员会", UnitKind.MUNICIPAL_DEPARTMENT),
    ("Finance Bureau", "市财政局", UnitKind.MUNICIPAL_DEPARTMENT),
    ("Qingjiangpu District Government", "清江浦区人民政府", UnitKind.COUNTY_OR_DISTRICT),
    ("Huaiyin District Government", "淮阴区人民政府", UnitKind.COUNTY_OR_DISTRICT),
    (
        "Huai'an Economic and Technological Development Zone",
        "淮安经济技术开发区管委会",
        UnitKind.COUNTY_OR_DISTRICT,
    ),
    ("Huaiyin Normal University", "淮阴师范学院", UnitKind.UNIVERSITY),
    ("Huaiyin Institute of Technology", "淮阴工学院", UnitKind.UNIVERSITY),
]

HRSS, HOUSING, MIIT, SCIENCE, EDUCATION, NDRC, FINANCE = (name for name, _zh, _k in UNITS[:7])
QINGJIANGPU, HUAIYIN, DEV_ZONE, HNU, HYIT = (name for name, _zh, _k in UNITS[7:])

CATEGORIES = [
    ("talent-cultivation", "Talent cultivation", "人才培养"),
    ("talent-ecosystem", "Talent ecosystem building", "人才生态建设"),
    ("talent-introduction", "Talent introduction policy", "人才引进政策"),
    ("talent-apartments", "Talent apartments", "人才公寓"),
    (
        "digital-transformation",
        "Enterprise intelligent and digital transformation",
        "企业智能化改造和数字化转型",
    ),
    ("other", "Other", "其他"),
]

DEMO_PASSWORD = "salon-demo-2026"  # nosec B105

ACCOUNTS = [
    # (email, name, role, unit name or None, locale)
    ("admin@example.com", "System Administrator", Role.ADMIN, None, None),
    ("organizer@example.com", "Liu Na (Talent Office)", Role.ORGANIZER, None, None),
    ("hrss@example.com", "Zhang Wei (HRSS Bureau)", Role.DEPARTMENT_STAFF, HRSS, None),
    ("housing@example.com", "Zhou Min (Housing Bureau)", Role.DEPARTMENT_STAFF, HOUSING, None),
    ("miit@example.com", "Qian Lei (MIIT Bureau)", Role.DEPARTMENT_STAFF, MIIT, None),
    ("leader@example.com", "City Leader", Role.LEADER, None, None),
]

# (name, position, organization, team, topic)
SPEAKERS = [
    (
        "Gao Lizhi",
        "Leader of the S&T Town Leader Group in Qingjiangpu District; Vice Dean",
        "Subei Research Institute of Shanghai Jiao Tong University",
        TalentTeam.SCI_TECH_TOWN_LEADER_GROUP,
        "Bringing university research into the district's enterprises",
    ),
    (
        "Wang Hongyang",
        "Chairman and General Manager",
        "Jiangsu FTR Communication Co., Ltd.",
        TalentTeam.ENTERPRISE,
        "Intelligent manufacturing in a communications enterprise",
    ),
    (
        "Zhang Dabing",
        "Chairman",
        "Jiangsu Hanbang Technology Co., Ltd.",
        TalentTeam.ENTERPRISE,
        "Keeping young engineers in Huai'an",
    ),
    (
        "Li Meisheng",
        "S&T Vice President; Vice Dean, School of Chemistry and Chemical Engineering",
        "Jiangsu Kerun Film Materials Co., Ltd.; Huaiyin Normal University",
        TalentTeam.SCI_TECH_VICE_PRESIDENT,
        "Two posts, one career: the S&T Vice President's evaluation",
    ),
    (
        "Zhou Wenjie",
        "Industry Professor; Chief Engineer",
        "Huaiyin Institute of Technology; Huai'an Salt Chemical Equipment Co., Ltd.",
        TalentTeam.INDUSTRY_PROFESSOR,
        "One window for every talent service",
    ),
    (
        "Chen Jing",
        "Member of the S&T Town Leader Group in Huaiyin District; Associate Professor",
        "Nanjing University of Science and Technology",
        TalentTeam.SCI_TECH_TOWN_LEADER_GROUP,
        "Small pilot projects with local enterprises",
    ),
    (
        "Sun Qiang",
        "S&T Vice President; Professor",
        "Huai'an Precision Machinery Co., Ltd.; Huaiyin Institute of Technology",
        TalentTeam.SCI_TECH_VICE_PRESIDENT,
        "University teams diagnosing SMEs' intelligent transformation",
    ),
    (
        "Xu Min",
        "Dean of Research",
        "Huaiyin Normal University",
        TalentTeam.UNIVERSITY,
        "Graduates who stay: internships in Huai'an enterprises",
    ),
    (
        "Ma Lin",
        "Director, Industry-University Cooperation Office",
        "Huaiyin Institute of Technology",
        TalentTeam.UNIVERSITY,
        "Recognising industry certificates",
    ),
    (
        "Zhao Hui",
        "General Manager",
        "Huai'an New Energy Materials Co., Ltd.",
        TalentTeam.ENTERPRISE,
        "Talent apartments and children's schooling",
    ),
    (
        "Wu Fang",
        "Head of Human Resources",
        "Huai'an Lithium Battery Technology Co., Ltd.",
        TalentTeam.ENTERPRISE,
        "A simpler talent housing subsidy",
    ),
    (
        "Liu Yan",
        "Industry Professor; R&D Director",
        "Jiangsu Food and Pharmaceutical Science College; Huai'an Fine Foods Co., Ltd.",
        TalentTeam.INDUSTRY_PROFESSOR,
        "Matching university laboratories with food enterprises",
    ),
]

# (speaker index, category code, suggestion, lead unit, co-units, due (y, m, d), final state,
#  result, satisfaction)
SUGGESTIONS = [
    (
        0,
        "talent-cultivation",
        "Set up joint training bases between the universities in Huai'an and leading "
        "enterprises, with credits for work placements.",
        EDUCATION,
        [HRSS, HYIT],
        (2026, 12, 20),
        ItemState.IN_PROGRESS,
        "",
        None,
    ),
    (
        1,
        "digital-transformation",
        "Subsidise the first year of cloud and industrial-internet platform fees for small "
        "manufacturers starting their digital transformation.",
        MIIT,
        [FINANCE],
        (2026, 11, 30),
        ItemState.RESOLVED,
        "A subsidy of up to 50% of first-year platform fees (at most 200,000 yuan) was added to "
        "the 2027 intelligent transformation fund; applications open in January.",
        None,
    ),
    (
        2,
        "talent-apartments",
        "Open talent apartments near the Development Zone for young engineers, rent-free in "
        "the first year.",
        HOUSING,
        [DEV_ZONE],
        (2026, 11, 20),
        ItemState.ACCEPTED,
        "",
        None,
    ),
    (
        3,
        "talent-introduction",
        "Let S&T Vice Presidents count the R&D results achieved in their enterprise in their "
        "university professional title evaluation.",
        HRSS,
        [EDUCATION, HNU],
        (2026, 10, 31),
        ItemState.CLOSED,
        "The 2026 title evaluation rules now count enterprise R&D results and patents "
        "put into production as equivalent to research papers.",
        Satisfaction.SATISFIED,
    ),
    (
        4,
        "talent-ecosystem",
        "Create a one-stop service window where high-level talents settle residence, "
        "children's schooling and medical care in one place.",
        HRSS,
        [],
        (2026, 12, 27),
        ItemState.ASSIGNED,
        "",
        None,
    ),
    (
        5,
        "talent-ecosystem",
        "Fund small pilot projects that S&T Town Leader Group members start with local "
        "enterprises.",
        SCIENCE,
        [HUAIYIN],
        (2026, 11, 15),
        ItemState.IN_PROGRESS,
        "",
        None,
    ),
    (
        6,
        "digital-transformation",
        "Organise on-site diagnosis of intelligent transformation needs by university teams "
        "for small and medium-sized enterprises.",
        None,
        [],
        None,
        ItemState.NEW,
        "",
        None,
    ),
    (
        7,
        "talent-cultivation",
        "Raise internship stipends for graduates who intern in Huai'an enterprises and stay "
        "after graduation.",
        HRSS,
        [FINANCE],
        (2026, 11, 25),
        ItemState.RESOLVED,
        "Internship stipends rise from 1,500 to 2,000 yuan a month from 1 January; graduates "
        "who stay a year receive a one-off settling-in allowance.",
        None,
    ),
    (
        8,
        "talent-introduction",
        "Recognise industry certificates in the city's talent classification catalogue.",
        SCIENCE,
        [],
        (2026, 12, 15),
        ItemState.RETURNED,
        "",
        None,
    ),
    (
        9,
        "talent-apartments",
        "Let tenants of talent apartments register their household there so that their "
        "children can attend the local school.",
        QINGJIANGPU,
        [HOUSING, EDUCATION],
        (2026, 12, 10),
        ItemState.IN_PROGRESS,
        "",
        None,
    ),
    (
        10,
        "talent-introduction",
        "Reduce the application for the talent housing subsidy to one online form.",
        HOUSING,
        [],
        (2026, 10, 25),
        ItemState.CLOSED,
        "The application is now one online form on the government service portal; "
        "documents held by other departments are fetched automatically.",
        Satisfaction.BASICALLY_SATISFIED,
    ),
    (
        11,
        "other",
        "Hold a yearly matchmaking day between university laboratories and food enterprises.",
        None,
        [],
        None,
        ItemState.NEW,
        "",
        None,
    ),
    (
        2,
        "talent-cultivation",
        "Let young engineers of enterprises take part-time master's degrees at the "
        "universities in Huai'an, with the tuition shared by the enterprise and the city.",
        EDUCATION,
        [HYIT],
        (2026, 12, 5),
        ItemState.REOPENED,
        "A pilot class of 30 engineers starts in September 2027 at Huaiyin Institute of "
        "Technology.",
        Satisfaction.UNSATISFIED,
    ),
    (
        9,
        "talent-apartments",
        "Build a second talent apartment block in the Development Zone next year.",
        HOUSING,
        [],
        (2026, 11, 10),
        ItemState.CLOSED,
        "The zone's land quota for 2027 is taken by industrial projects already, so a second "
        "block cannot be built next year; it is proposed for the 2028 land plan, and the "
        "apartments opening in March are offered first to the zone's engineers.",
        Satisfaction.BASICALLY_SATISFIED,
    ),
]

# Co-handling units' opinions (会签意见) given so far, by the index of the suggestion above:
# (unit, days after the salon, opinion). Invented. The first suggestion's other co-handling
# unit (Huaiyin Institute of Technology) has not given its opinion: the demo shows a
# countersign waiting.
OPINIONS = {
    0: [
        (
            HRSS,
            20,
            "Placements at the joint bases can count as internship hours for the talent "
            "subsidy; we will publish the list of bases with the Education Bureau.",
        ),
    ],
}

# The lead units' recorded contacts with the speakers (联系记录), by the index of the suggestion
# above: (days after the salon, how, what was said). Invented. The other answers were given
# without a recorded contact, so the figure "answered without contact" shows one.
CONTACTS = {
    1: (
        20,
        "phone",
        "Called Mr Zhang: he asked that the subsidy also cover the first year of the "
        "industrial-internet platform; agreed.",
    ),
    3: (
        18,
        "meeting",
        "Met the S&T Vice Presidents at the university: the draft rules were read with them.",
    ),
}

# Answers published on the salon's public results page, by the index of the suggestion above:
# what the speaker agreed to on registering (named or anonymous), and the days after the
# salon the organizers published it. Invented.
PUBLISHED = {3: ("named", 36)}

# Key items (重点督办) a leader marked, by the index of the suggestion above: (days after the
# salon, the leader's instruction). Invented. The talent apartments are overdue, so the daily
# run tells the leaders and organizers.
KEY_ITEMS = {
    2: (
        6,
        "Young engineers are leaving for want of housing: the Housing Bureau and the "
        "Development Zone are to agree a site and a timetable, and report to me weekly.",
    ),
}

# What each answer promises (A/B/C/D), by the index of the suggestion above, with the date a
# B or C answer promised. Invented; the B answer's date has passed, so the demo shows a
# promise for the organizers to check.
RESULT_CLASSES = {
    1: ("planned", (2027, 1, 31)),
    3: ("solved", None),
    7: ("being_solved", (2026, 11, 20)),
    10: ("solved", None),
    13: ("not_now", None),
}

UNSATISFIED_COMMENT = "Thirty places are far too few, and nothing is said about the tuition."

RETURN_REASON = (
    "The talent classification catalogue is kept by the Human Resources and Social Security "
    "Bureau; please reassign."
)

# Extensions (延期) asked for, by the index of the suggestion above: (days after the salon
# the lead unit asked, the due date before, the date asked, the date granted or None when
# refused, the unit's reason, the organizer's answer). Invented.
EXTENSIONS = {
    0: (
        40,
        (2026, 11, 30),
        (2026, 12, 31),
        (2026, 12, 20),
        "The credit rules for work placements need the provincial education department's "
        "approval, expected in mid-December.",
        "Granted to 20 December: the approval is not needed to publish the bases' list.",
    ),
    5: (
        50,
        (2026, 11, 15),
        (2026, 12, 15),
        None,
        "The pilot fund's first round has not closed yet.",
        "Refused: report what the first round funded, and the second round as progress.",
    ),
}

# Registrations waiting for the organizer's review at the next salon (invented).
NEXT_SALON_SPEAKERS = [
    (
        "Huang Wei",
        "Chief Technology Officer",
        "Huai'an Smart Grid Equipment Co., Ltd.",
        TalentTeam.ENTERPRISE,
        "Digital twins on the factory floor",
    ),
    (
        "Sun Li",
        "Industry Professor; Head of Process Engineering",
        "Huaiyin Institute of Technology; Jiangsu Salt Chemical Group",
        TalentTeam.INDUSTRY_PROFESSOR,
        "Training engineers where the salt industry needs them",
    ),
    (
        "Zhou Tao",
        "Associate Dean, School of Computer Science",
        "Huaiyin Normal University",
        TalentTeam.UNIVERSITY,
        "A shared data platform for the '333' industries",
    ),
]
