"""Words for the demo data: kinds of service, kinds of organisation, venues and contact roles.

Everything here is fictional but written the way real listings read, so that search, filters and
the finder pages can be tried on believable text. No person is named anywhere: contacts are
roles or teams.
"""

from __future__ import annotations

from dataclasses import dataclass

# Age ranges as (minimum, maximum); None means no limit that side.
ALL_AGES = (None, None)
UNDER_5S = (0, 5)
CHILDREN = (5, 11)
CHILDREN_AND_TEENS = (8, 16)
YOUTH = (11, 19)
YOUNG_PEOPLE = (13, 25)
OVER_16S = (16, None)
ADULTS = (18, None)
OVER_50S = (50, None)
OVER_60S = (60, None)
OVER_65S = (65, None)

DROP_IN = "Drop in"
APPOINTMENT = "By appointment"
REFERRAL = "By referral"

ATTENDING_SENTENCES = {
    DROP_IN: "Just drop in, there is no need to book.",
    APPOINTMENT: "Please call or email to book an appointment.",
    REFERRAL: "Referrals from professionals are welcome, and you can also refer yourself.",
}


@dataclass(frozen=True)
class ServiceKind:
    """A kind of service: how its listings are named, described, tagged, timed and charged."""

    key: str
    names: tuple[str, ...]  # may use {area}
    description: str  # may use {area} and {org}
    types: tuple[int, ...]  # LGA service type codes; the first always applies
    ages: tuple[tuple[int | None, int | None], ...]
    attending: tuple[str, ...]
    # "free", "session" (a small charge per visit), "membership" or "charged" (care services)
    cost: str
    # Schedule patterns, see seed._schedule_pattern.
    schedules: tuple[str, ...]
    contacts: tuple[str, ...] = ("Reception",)


SERVICE_KINDS: tuple[ServiceKind, ...] = (
    ServiceKind(
        "debt_advice",
        ("{area} Debt Advice", "Money and Debt Advice Clinic", "Debt Help Drop-in"),
        "Free, confidential help with debts, arrears and budgeting. An adviser looks at what you "
        "owe, talks through your options and can contact creditors on your behalf.",
        (651, 189),
        (ADULTS,),
        (APPOINTMENT, DROP_IN),
        "free",
        ("office", "daytime"),
        ("Advice line", "Reception"),
    ),
    ServiceKind(
        "benefits_advice",
        ("Welfare Benefits Advice", "{area} Benefits Check", "Universal Credit Help"),
        "Help to check which benefits you can claim, fill in forms and challenge decisions, "
        "including Universal Credit, Personal Independence Payment and Pension Credit.",
        (190, 189),
        (ADULTS, OVER_16S),
        (APPOINTMENT, DROP_IN),
        "free",
        ("office", "daytime"),
        ("Advice line", "Benefits team"),
    ),
    ServiceKind(
        "housing_advice",
        ("Housing Advice Service", "{area} Tenancy Support", "Private Renters' Advice"),
        "Advice if you are worried about losing your home, have problems with a landlord or "
        "repairs, or need help to find somewhere to live.",
        (652, 112),
        (OVER_16S, ADULTS),
        (APPOINTMENT, DROP_IN),
        "free",
        ("office", "daytime"),
        ("Housing advice team", "Duty team"),
    ),
    ServiceKind(
        "legal_advice",
        ("Free Legal Advice Clinic", "Employment Rights Advice Evening"),
        "A volunteer solicitor gives free initial advice on housing, employment, family and "
        "consumer problems, and explains where to go next.",
        (676,),
        (ADULTS,),
        (APPOINTMENT,),
        "free",
        ("monthly", "evening"),
        ("Advice line",),
    ),
    ServiceKind(
        "energy_advice",
        ("Warm Homes Advice", "Energy Saving Drop-in", "Fuel Bills Help"),
        "Advice on keeping your home warm for less: energy bills and debts, tariffs, "
        "prepayment meters and grants for insulation or a new boiler.",
        (880, 269),
        (ADULTS,),
        (DROP_IN, APPOINTMENT),
        "free",
        ("daytime", "monthly"),
        ("Energy advice team",),
    ),
    ServiceKind(
        "credit_union",
        ("{area} Credit Union Collection Point", "Credit Union Savings Club"),
        "Save and borrow fairly with your local credit union. Open an account, pay in savings "
        "or ask about affordable loans as an alternative to doorstep lenders.",
        (352,),
        (ALL_AGES, OVER_16S),
        (DROP_IN,),
        "free",
        ("daytime", "weekend"),
        ("Members' services",),
    ),
    ServiceKind(
        "foodbank",
        ("{area} Foodbank", "Emergency Food Parcels", "{area} Food Hub"),
        "Emergency food parcels for people in crisis. Bring a foodbank voucher from a referral "
        "agency, or come along and we will help you get one. Volunteers can also put you in "
        "touch with debt and benefits advice.",
        (1818,),
        (ALL_AGES,),
        (REFERRAL, DROP_IN),
        "free",
        ("daytime", "twice"),
        ("Foodbank coordinator", "Duty team"),
    ),
    ServiceKind(
        "pantry",
        ("{area} Community Pantry", "{area} Community Larder", "Social Supermarket"),
        "A members' pantry: pay a small weekly fee and choose groceries, fresh fruit and "
        "vegetables worth much more. Open to anyone living locally.",
        (1818, 297),
        (ADULTS,),
        (DROP_IN,),
        "membership",
        ("daytime", "twice"),
        ("Pantry volunteers",),
    ),
    ServiceKind(
        "lunch_club",
        ("Lunch Club", "{area} Community Café", "Warm Space and Hot Lunch"),
        "A hot two-course lunch and good company in a warm, welcoming space. Tea, coffee, "
        "newspapers and a weekly quiz.",
        (640, 269),
        (OVER_50S, OVER_65S, ADULTS),
        (DROP_IN,),
        "session",
        ("daytime",),
        ("Café team", "Reception"),
    ),
    ServiceKind(
        "befriending",
        ("Telephone Befriending", "Befriending Service", "Good Neighbours Visiting Scheme"),
        "Regular friendly phone calls or home visits from a trained volunteer for older people "
        "who feel lonely or cut off. We match you with someone who shares your interests.",
        (640, 297),
        (OVER_60S, OVER_65S),
        (REFERRAL,),
        "free",
        ("office",),
        ("Befriending coordinator", "Volunteer coordinator"),
    ),
    ServiceKind(
        "older_activities",
        ("Tea Dance", "Chair-Based Exercise", "Over 60s Social Club", "Memory Café"),
        "A friendly weekly get-together with activities, refreshments and a chance to make new "
        "friends. Carers and family members are welcome too.",
        (640, 241),
        (OVER_60S, OVER_65S, OVER_50S),
        (DROP_IN,),
        "session",
        ("daytime", "fortnightly"),
        ("Activities coordinator",),
    ),
    ServiceKind(
        "day_centre",
        ("{area} Day Centre", "Day Opportunities", "Resource Centre"),
        "Day care with meals, activities and personal care for adults who need support during "
        "the day, giving family carers a break.",
        (296, 640),
        (OVER_65S, ADULTS),
        (REFERRAL,),
        "charged",
        ("office",),
        ("Centre manager", "Referrals team"),
    ),
    ServiceKind(
        "carers_group",
        ("Carers' Support Group", "Carers' Coffee Morning", "Parent Carers' Forum"),
        "A relaxed group for unpaid carers to share experiences, get information and have some "
        "time for themselves. Guest speakers cover benefits, respite and looking after yourself.",
        (298, 225),
        (ADULTS,),
        (DROP_IN,),
        "free",
        ("monthly", "fortnightly"),
        ("Carers support team",),
    ),
    ServiceKind(
        "carers_advice",
        ("Carers' Advice and Support", "Carers' Assessment Support"),
        "Information, advice and one-to-one support for adults looking after a family member or "
        "friend, including help with a carer's assessment and emergency planning.",
        (225,),
        (ADULTS,),
        (APPOINTMENT, REFERRAL),
        "free",
        ("office",),
        ("Carers support team", "Advice line"),
    ),
    ServiceKind(
        "young_carers",
        ("Young Carers Club", "Young Carers' Support"),
        "Fun activities, trips and someone to talk to for children and young people who help "
        "look after someone at home.",
        (300, 642),
        (CHILDREN_AND_TEENS, (8, 18)),
        (REFERRAL,),
        "free",
        ("youth", "fortnightly"),
        ("Young carers team",),
    ),
    ServiceKind(
        "mental_health_group",
        ("Wellbeing Drop-in", "Mental Health Peer Support Group", "Men's Mental Health Group"),
        "A safe, non-judgemental space to talk about how you are feeling with people who have "
        "been there too. Facilitated by trained peer supporters.",
        (1284,),
        (ADULTS, OVER_16S),
        (DROP_IN,),
        "free",
        ("evening", "daytime"),
        ("Wellbeing team",),
    ),
    ServiceKind(
        "counselling",
        ("Low-Cost Counselling", "Talking Therapies", "Counselling Service"),
        "Short-term counselling with a qualified counsellor for anxiety, low mood, stress and "
        "life changes. Sessions are weekly for up to twelve weeks.",
        (163, 1284),
        (ADULTS, OVER_16S),
        (APPOINTMENT, REFERRAL),
        "session",
        ("office",),
        ("Counselling team", "Referrals team"),
    ),
    ServiceKind(
        "bereavement",
        ("Bereavement Support Group", "Bereavement Counselling", "Walk and Talk for the Bereaved"),
        "Support for anyone who has lost someone close, at whatever stage of grief. One-to-one "
        "support is also available.",
        (328, 163),
        (ADULTS,),
        (DROP_IN, APPOINTMENT),
        "free",
        ("monthly", "fortnightly"),
        ("Bereavement support team",),
    ),
    ServiceKind(
        "mens_shed",
        ("{area} Men's Shed", "Community Workshop"),
        "A community workshop where people can make, mend and learn skills side by side. Tools "
        "and materials are provided. Everyone is welcome, whatever their experience.",
        (1284, 241),
        (ADULTS,),
        (DROP_IN,),
        "session",
        ("twice", "daytime"),
        ("Shed volunteers",),
    ),
    ServiceKind(
        "youth_club",
        ("{area} Youth Club", "Friday Night Youth Club", "Junior Youth Club"),
        "Games, sport, music, cooking and trips with qualified youth workers. A safe place to "
        "meet friends and try new things.",
        (642, 700),
        (YOUTH, (8, 13), (13, 19)),
        (DROP_IN,),
        "session",
        ("youth",),
        ("Youth work team",),
    ),
    ServiceKind(
        "youth_advice",
        ("Youth Advice and Information", "Young People's Wellbeing Drop-in"),
        "Confidential information and advice for young people on relationships, sexual health, "
        "money, housing and feeling low. Talk to a youth worker without an appointment.",
        (700, 1284),
        (YOUNG_PEOPLE, (11, 25)),
        (DROP_IN,),
        "free",
        ("youth", "daytime"),
        ("Youth work team",),
    ),
    ServiceKind(
        "stay_and_play",
        ("Stay and Play", "Baby and Toddler Group", "Messy Play"),
        "Play, songs and stories for babies and young children with their parents or carers. "
        "Meet other families and get advice from the family hub team.",
        (53, 831),
        (UNDER_5S, (0, 4)),
        (DROP_IN,),
        "session",
        ("morning",),
        ("Family hub team",),
    ),
    ServiceKind(
        "toy_library",
        ("Toy Library",),
        "Borrow toys, games and sensory equipment for young children, free of charge, for up to "
        "three weeks at a time.",
        (893,),
        (UNDER_5S,),
        (DROP_IN,),
        "free",
        ("morning", "fortnightly"),
        ("Library staff",),
    ),
    ServiceKind(
        "holiday_club",
        ("Holiday Activities and Food Club", "After School Club", "Summer Play Scheme"),
        "Fun activities and a healthy meal for children in the school holidays. Free places for "
        "children who get benefits-related free school meals.",
        (19, 642),
        (CHILDREN, (5, 16)),
        (APPOINTMENT,),
        "free",
        ("daytime", "weekend"),
        ("Play team",),
    ),
    ServiceKind(
        "sensory",
        ("Sensory Play Sessions", "Sensory Room Sessions"),
        "Sessions in a fully equipped sensory room for children and adults with additional "
        "needs, with their families or carers.",
        (1787, 241),
        (ALL_AGES, (0, 18)),
        (APPOINTMENT,),
        "session",
        ("daytime", "weekend"),
        ("Reception",),
    ),
    ServiceKind(
        "family_support",
        ("Family Support Service", "Parenting Programme", "Dads' Group"),
        "Practical and emotional support for parents and carers facing a difficult time, from "
        "routines and behaviour to money worries and relationships.",
        (1772, 831),
        (ALL_AGES,),
        (REFERRAL, APPOINTMENT),
        "free",
        ("office", "evening"),
        ("Family support team", "Referrals team"),
    ),
    ServiceKind(
        "domestic_abuse",
        ("Domestic Abuse Support", "Freedom Programme", "Safe Spaces Outreach"),
        "Confidential support for anyone affected by domestic abuse: safety planning, help with "
        "housing and the courts, and group programmes. In an emergency always call 999.",
        (164, 1816),
        (OVER_16S,),
        (REFERRAL, APPOINTMENT),
        "free",
        ("office",),
        ("Helpline", "Duty team"),
    ),
    ServiceKind(
        "victim_support",
        ("Victim and Witness Support",),
        "Free, confidential help for people affected by crime, whether or not it was reported "
        "to the police.",
        (1816,),
        (ALL_AGES,),
        (REFERRAL, APPOINTMENT),
        "free",
        ("office",),
        ("Helpline",),
    ),
    ServiceKind(
        "homeless_dropin",
        ("Homeless Drop-in", "Street Outreach", "Breakfast Club for Rough Sleepers"),
        "A hot breakfast, showers, laundry and a caseworker for people who are homeless or at "
        "risk of losing their home.",
        (112,),
        (ADULTS,),
        (DROP_IN,),
        "free",
        ("morning", "daytime"),
        ("Outreach team", "Duty team"),
    ),
    ServiceKind(
        "supported_housing",
        ("Supported Housing for Young People", "Floating Housing Support"),
        "Accommodation and key-worker support to help people learn to live independently and "
        "keep their tenancy.",
        (107, 112),
        ((16, 25), ADULTS),
        (REFERRAL,),
        "free",
        ("office",),
        ("Referrals team",),
    ),
    ServiceKind(
        "stop_smoking",
        ("Stop Smoking Service", "Quit Smoking Clinic"),
        "Free one-to-one support and nicotine replacement or vapes to help you stop smoking for "
        "good. You are three times more likely to quit with support.",
        (1746, 199),
        (ADULTS, (12, None)),
        (APPOINTMENT, DROP_IN),
        "free",
        ("office", "evening"),
        ("Stop smoking advisers",),
    ),
    ServiceKind(
        "health_checks",
        ("NHS Health Check", "Blood Pressure Check Drop-in", "Community Health Check"),
        "A free check of your blood pressure, cholesterol and risk of heart disease, stroke and "
        "diabetes, with advice on staying well.",
        (1747, 199),
        ((40, 74), ADULTS),
        (APPOINTMENT, DROP_IN),
        "free",
        ("daytime", "monthly"),
        ("Health improvement team",),
    ),
    ServiceKind(
        "recovery",
        ("Drug and Alcohol Recovery Service", "Recovery Café", "Recovery Support Group"),
        "Support to cut down or stop using drugs or alcohol: assessment, prescribing, group "
        "work and peer mentors who are in recovery themselves.",
        (730, 727),
        (ADULTS,),
        (DROP_IN, REFERRAL),
        "free",
        ("office", "evening"),
        ("Duty team", "Recovery coordinators"),
    ),
    ServiceKind(
        "alcohol_group",
        ("Alcohol Support Group", "Sober Social"),
        "A weekly group for people who want to change their drinking, with support from others "
        "on the same journey.",
        (727,),
        (ADULTS,),
        (DROP_IN,),
        "free",
        ("evening",),
        ("Group facilitators",),
    ),
    ServiceKind(
        "walking_sport",
        ("Walking Football", "Health Walks", "Walking Netball"),
        "A slower-paced version of the game for people who want to stay active, whatever their "
        "fitness. No running, no tackling, lots of laughs.",
        (1789, 641),
        (OVER_50S, ADULTS),
        (DROP_IN,),
        "session",
        ("daytime", "weekend"),
        ("Activities coordinator",),
    ),
    ServiceKind(
        "fitness",
        ("Gentle Exercise Class", "Community Yoga", "Couch to 5K Running Group"),
        "A friendly exercise class for all abilities, led by a qualified instructor. Wear "
        "comfortable clothes and bring some water.",
        (1789,),
        (ADULTS, OVER_16S),
        (DROP_IN,),
        "session",
        ("evening", "morning"),
        ("Instructors",),
    ),
    ServiceKind(
        "sports_club",
        ("Junior Football Club", "Boxing Club", "Multi-Sports Club"),
        "Coaching and matches for young people of all abilities, with qualified coaches and "
        "kit to borrow.",
        (641, 642),
        ((5, 16), YOUTH),
        (DROP_IN,),
        "session",
        ("youth", "weekend"),
        ("Club coaches",),
    ),
    ServiceKind(
        "inclusive_leisure",
        ("Inclusive Social Club", "Disability Sports Session", "Friday Friends Club"),
        "Social and leisure activities for adults with learning disabilities or autism, with "
        "support workers on hand. Bring a carer or support worker if you need one.",
        (241, 1787),
        (ADULTS, OVER_16S),
        (DROP_IN,),
        "session",
        ("evening", "weekend"),
        ("Activities coordinator",),
    ),
    ServiceKind(
        "arts",
        ("Community Art Group", "Creative Writing Group", "Community Choir"),
        "A creative group for beginners and improvers. Materials are provided and no "
        "experience is needed, just come and have a go.",
        (1791, 241),
        (ADULTS, ALL_AGES),
        (DROP_IN,),
        "session",
        ("daytime", "evening"),
        ("Group leaders",),
    ),
    ServiceKind(
        "digital_skills",
        ("Digital Skills Drop-in", "Computer Help for Beginners", "Get Online Sessions"),
        "Friendly help to get online: email, video calls, online shopping, banking safely and "
        "applying for benefits or jobs. Bring your own device or borrow one.",
        (442, 27),
        (ADULTS, OVER_50S),
        (DROP_IN,),
        "free",
        ("daytime",),
        ("Digital champions", "Library staff"),
    ),
    ServiceKind(
        "english_classes",
        ("English Conversation Club", "ESOL Classes", "English for Everyday Life"),
        "Practise speaking English in a relaxed group, from beginner to confident. Meet people, "
        "learn about local services and build confidence.",
        (27, 77),
        (OVER_16S, ADULTS),
        (DROP_IN, APPOINTMENT),
        "free",
        ("daytime", "twice"),
        ("Learning team",),
    ),
    ServiceKind(
        "employment",
        ("Job Club", "Employment Support", "Work Ready Programme"),
        "Help with CVs, job searching, applications and interviews, plus access to training "
        "and local employers who are recruiting.",
        (343,),
        (OVER_16S, ADULTS),
        (DROP_IN, APPOINTMENT),
        "free",
        ("daytime", "office"),
        ("Employment advisers",),
    ),
    ServiceKind(
        "volunteering",
        ("Volunteer Centre", "Volunteering Opportunities"),
        "Find a volunteering role that suits you, from a few hours a month to regular "
        "commitments, with training and expenses paid.",
        (1113,),
        (OVER_16S,),
        (DROP_IN, APPOINTMENT),
        "free",
        ("office",),
        ("Volunteer coordinator",),
    ),
    ServiceKind(
        "refugee_support",
        ("Refugee and Asylum Seeker Drop-in", "Welcome Café", "New Arrivals Advice"),
        "A warm welcome, hot drinks and advice for refugees and people seeking asylum: "
        "housing, health, asylum support, clothing and English classes.",
        (77, 169),
        (ALL_AGES,),
        (DROP_IN,),
        "free",
        ("daytime",),
        ("Welcome team",),
    ),
    ServiceKind(
        "interpreting",
        ("Community Interpreting Service",),
        "Face-to-face and telephone interpreting for appointments with health, housing and "
        "advice services, in more than 30 languages.",
        (169,),
        (ALL_AGES,),
        (APPOINTMENT,),
        "free",
        ("office",),
        ("Bookings team",),
    ),
    ServiceKind(
        "community_transport",
        ("Community Transport Dial-a-Ride", "Shopping Bus", "Accessible Minibus Hire"),
        "Door-to-door accessible transport for people who cannot easily use buses, for "
        "shopping, appointments and social activities. Book at least two days ahead.",
        (272,),
        (OVER_60S, ADULTS),
        (APPOINTMENT,),
        "session",
        ("office",),
        ("Bookings team",),
    ),
    ServiceKind(
        "community_centre",
        ("{area} Community Centre", "{area} Community Hub"),
        "A community hub with a café, rooms to hire, free Wi-Fi and a timetable of groups and "
        "classes for all ages. Pop in to find out what is on.",
        (1149, 297),
        (ALL_AGES,),
        (DROP_IN,),
        "free",
        ("office",),
        ("Reception",),
    ),
    ServiceKind(
        "care_at_home",
        ("Home Support Service", "Carers' Sitting Service"),
        "Trained care workers help with personal care, meals and medication at home, or sit "
        "with the person you care for so that you can have a break.",
        (242, 225),
        (OVER_65S, ADULTS),
        (REFERRAL,),
        "charged",
        ("office",),
        ("Care coordinators", "Referrals team"),
    ),
    ServiceKind(
        "meals",
        ("Meals at Home", "Hot Meals Delivery"),
        "Hot or frozen meals delivered to your door by friendly drivers who also check you are "
        "well. Special diets catered for.",
        (315,),
        (OVER_65S, ADULTS),
        (REFERRAL, APPOINTMENT),
        "charged",
        ("office",),
        ("Meals team",),
    ),
    ServiceKind(
        "safeguarding",
        ("Adult Safeguarding Advice Line",),
        "Report a concern about an adult who may be at risk of abuse or neglect, or ask for "
        "advice. Outside office hours, contact the emergency duty team.",
        (731,),
        (ADULTS,),
        (REFERRAL,),
        "free",
        ("office",),
        ("Safeguarding team", "Duty team"),
    ),
)

KINDS_BY_KEY: dict[str, ServiceKind] = {kind.key: kind for kind in SERVICE_KINDS}


@dataclass(frozen=True)
class Theme:
    """What an organisation does: the words in its name and the kinds of service it runs."""

    key: str
    nouns: tuple[str, ...]  # for organisation names
    blurb: str  # one sentence for the organisation's description
    kinds: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "advice",
        ("Advice Centre", "Advice Partnership", "Money Advice", "Law Centre"),
        "We give free, independent advice on money, benefits, housing and legal problems.",
        (
            "debt_advice",
            "benefits_advice",
            "housing_advice",
            "legal_advice",
            "energy_advice",
            "credit_union",
        ),
    ),
    Theme(
        "food",
        ("Foodbank", "Food Partnership", "Community Larder", "Food Network"),
        "We make sure nobody in our community goes hungry, and tackle the causes of food poverty.",
        ("foodbank", "pantry", "lunch_club", "holiday_club", "benefits_advice"),
    ),
    Theme(
        "older",
        ("Older People's Forum", "Good Neighbours", "Over 50s Network", "Age Friendly Network"),
        "We help older people stay connected, independent and well in their own homes.",
        (
            "befriending",
            "older_activities",
            "day_centre",
            "lunch_club",
            "community_transport",
            "meals",
        ),
    ),
    Theme(
        "carers",
        ("Carers' Centre", "Carers' Network", "Carers Together"),
        "We support unpaid carers of all ages so that they can look after themselves too.",
        ("carers_group", "carers_advice", "young_carers", "care_at_home"),
    ),
    Theme(
        "mental_health",
        ("Wellbeing", "Minds Together", "Wellbeing Collective", "Talking Space"),
        "We support people with their mental health through peer support, counselling and "
        "activities.",
        ("mental_health_group", "counselling", "bereavement", "mens_shed"),
    ),
    Theme(
        "youth",
        ("Youth Project", "Youth Trust", "Young People's Project", "Youth Zone"),
        "We run youth work, sport and advice for children and young people.",
        ("youth_club", "youth_advice", "holiday_club", "sports_club", "young_carers"),
    ),
    Theme(
        "family",
        ("Family Centre", "Families Together", "Family Support Network", "Parents' Hub"),
        "We support families with young children to give every child a good start.",
        ("stay_and_play", "toy_library", "family_support", "holiday_club"),
    ),
    Theme(
        "housing",
        ("Housing Trust", "Homeless Project", "Shelter Partnership", "Housing Support"),
        "We help people who are homeless or badly housed find and keep a home.",
        ("homeless_dropin", "supported_housing", "housing_advice"),
    ),
    Theme(
        "recovery",
        ("Recovery Network", "Recovery Community", "Recovery Project"),
        "We support people and families affected by drugs and alcohol.",
        ("recovery", "alcohol_group", "mental_health_group"),
    ),
    Theme(
        "sport",
        ("Sports Trust", "Active Communities", "Community Sports", "Athletic Club"),
        "We use sport and physical activity to improve health and bring people together.",
        ("walking_sport", "fitness", "sports_club", "inclusive_leisure"),
    ),
    Theme(
        "arts",
        ("Arts Collective", "Community Arts", "Arts Project"),
        "We run creative projects that bring people together and build confidence.",
        ("arts", "digital_skills", "english_classes", "older_activities"),
    ),
    Theme(
        "refugees",
        ("Refugee Welcome", "Refugee Council", "Migrant Support"),
        "We welcome and support refugees, people seeking asylum and new arrivals.",
        ("refugee_support", "interpreting", "english_classes", "benefits_advice"),
    ),
    Theme(
        "community",
        ("Community Association", "Community Trust", "Community Partnership", "Community Hub"),
        "We run a community centre and a programme of activities for local people.",
        (
            "community_centre",
            "lunch_club",
            "arts",
            "fitness",
            "stay_and_play",
            "digital_skills",
            "volunteering",
        ),
    ),
    Theme(
        "disability",
        ("Disability Forum", "Independent Living", "Inclusion Project"),
        "We work with disabled people and their families for an inclusive community.",
        ("inclusive_leisure", "sensory", "day_centre", "community_transport"),
    ),
    Theme(
        "domestic_abuse",
        ("Women's Aid Partnership", "Safe Futures", "Women's Centre"),
        "We support people affected by domestic abuse to be safe and rebuild their lives.",
        ("domestic_abuse", "victim_support", "counselling"),
    ),
    Theme(
        "employment",
        ("Works", "Skills Centre", "Employment Project", "Learning Partnership"),
        "We help people into work, training and volunteering.",
        ("employment", "digital_skills", "english_classes", "volunteering"),
    ),
    Theme(
        "health",
        ("Health Project",),
        "We run community health services, close to home.",
        ("stop_smoking", "health_checks", "counselling", "mental_health_group", "recovery"),
    ),
)

THEMES_BY_KEY: dict[str, Theme] = {theme.key: theme for theme in THEMES}

# Voluntary and community sector themes (the council and NHS have their own below).
VCS_THEMES: tuple[str, ...] = tuple(t.key for t in THEMES if t.key != "health")

# Council departments: their name, the theme they run services for, and kinds only they run.
COUNCIL_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Adult Social Care", "older", ("safeguarding", "carers_advice")),
    ("Early Help and Family Hubs", "family", ("youth_advice",)),
    ("Housing Options", "housing", ()),
    ("Public Health", "health", ()),
    ("Youth Service", "youth", ()),
    ("Libraries and Learning", "employment", ("toy_library",)),
    ("Carers' Support Service", "carers", ()),
    ("Community Wellbeing", "community", ()),
    ("Disability Services", "disability", ()),
    ("Leisure and Active Lifestyles", "sport", ()),
)

NHS_THEMES: tuple[str, ...] = ("health", "mental_health", "recovery")

# Names for voluntary organisations, used with a theme noun ("Open Door Advice Centre").
BRANDS: tuple[str, ...] = (
    "Open Door",
    "New Horizons",
    "Stepping Stones",
    "Safe Haven",
    "Bridges",
    "Lighthouse",
    "Compass",
    "Harbour",
    "Seedlings",
    "Springboard",
    "Kite",
    "Anchor",
    "Oak Tree",
    "Friendship Circle",
    "Riverside",
    "Northern Star",
    "Welcome Mat",
    "Evergreen",
    "Keystone",
    "Brighter Days",
    "Common Ground",
    "Second Chance",
    "Kindred",
    "Hand in Hand",
)

SAINTS: tuple[str, ...] = (
    "St Mary's",
    "St John's",
    "St Michael's",
    "St Andrew's",
    "St Paul's",
    "St Peter's",
    "St Matthew's",
    "St Aidan's",
    "St Stephen's",
    "All Saints",
)

# Venue name patterns; {area}, {saint} and {org} are filled in by the seeder.
VENUE_PATTERNS: tuple[str, ...] = (
    "{area} Community Centre",
    "{saint} Church Hall",
    "{area} Library",
    "{area} Family Hub",
    "{area} Methodist Church",
    "{area} Leisure Centre",
    "{area} Health Centre",
    "{area} Youth Centre",
    "{area} Village Hall",
    "{org}",
    "{org}",
    "The Hub, {area}",
)

ACCESSIBILITY_FEATURES: tuple[tuple[str, str], ...] = (
    ("Step-free access", "Level access from the street and a lift to all floors"),
    ("Accessible toilet", "An accessible toilet on the ground floor"),
    ("Hearing loop", "A hearing loop in the main hall and at reception"),
    ("Blue badge parking", "Two blue badge bays next to the entrance"),
    ("Changing Places toilet", "A Changing Places toilet with hoist and bench"),
    ("Quiet room", "A quiet room is available if you need a break"),
)

EXTRA_SENTENCES: tuple[str, ...] = (
    "Tea and coffee are provided.",
    "Interpreters can be arranged if you let us know in advance.",
    "The venue is on several bus routes.",
    "Free parking is available on site.",
    "Please tell us about any access needs before you come.",
    "Everything you tell us is kept confidential.",
    "Volunteers are always welcome; ask us how you can help.",
)

# Services delivered at home or by phone, whose listings should not talk about the venue.
NO_VENUE_KINDS: frozenset[str] = frozenset(
    {
        "befriending",
        "care_at_home",
        "meals",
        "community_transport",
        "interpreting",
        "safeguarding",
        "supported_housing",
    }
)

ALERTS: dict[str, tuple[str, ...]] = {
    "temporarily closed": (
        "Closed for refurbishment, reopening soon.",
        "Sessions are paused while we recruit new volunteers.",
        "Closed over the summer; sessions restart in September.",
    ),
    "inactive": ("This service is not currently running.",),
    "defunct": ("This service has closed.",),
}

# (name, ISO 639 code, weight) for languages offered besides English.
LANGUAGES: tuple[tuple[str, str, int], ...] = (
    ("Polish", "pl", 5),
    ("Arabic", "ar", 4),
    ("Kurdish", "ku", 3),
    ("Urdu", "ur", 3),
    ("Romanian", "ro", 2),
    ("Farsi", "fa", 2),
    ("Tigrinya", "ti", 1),
    ("British Sign Language", "bfi", 2),
)

FUNDERS_VCS: tuple[str, ...] = (
    "National Lottery community grant",
    "Charitable trusts and individual donations",
    "{council} community grant",
    "Integrated care board contract",
    "Local fundraising and events",
    "Corporate sponsorship from local businesses",
)

YEARS_FOUNDED: tuple[int, int] = (1968, 2024)

# Care services are charged by the hour, day or meal: (option, typical amounts in pounds).
CHARGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "care_at_home": ("Per hour", ("18.50", "21.00", "23.75")),
    "day_centre": ("Per day", ("32.00", "38.50", "45.00")),
    "meals": ("Per meal", ("4.80", "5.20", "5.75")),
}
SESSION_PRICES: tuple[str, ...] = ("1.00", "1.50", "2.00", "2.00", "2.50", "3.00", "4.00")
MEMBERSHIP_PRICES: tuple[str, ...] = ("3.00", "3.50", "4.00")

ACCREDITATION_BY_KIND: dict[str, str] = {
    "debt_advice": "Advice Quality Standard",
    "benefits_advice": "Advice Quality Standard",
    "housing_advice": "Advice Quality Standard",
    "counselling": "BACP organisational membership",
    "youth_club": "Quality Mark for Youth Work",
    "volunteering": "Investing in Volunteers",
}
