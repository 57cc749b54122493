"""Phrasing templates for synthetic resumes.

`{S}` is a skill slot (becomes a gold span), `{N}`/`{P}`/`{T}` are numbers. Non-skill words here must not
be skill aliases (no "collaboration", "leadership", "prioritization" ...), or the gold would miss a
mention an extractor rightly finds.
"""

from __future__ import annotations

LANG_1 = (
    "Developed and maintained services written in {S}",
    "Wrote production code in {S} for the payments platform",
    "Refactored the {S} codebase to improve readability and coverage",
    "Reviewed pull requests touching {S} code for a team of {T}",
    "Ported a legacy module to {S} without downtime",
)
TECH_1 = (
    "Built internal tools with {S} used by {T} teams across the company",
    "Migrated legacy batch jobs to {S}, cutting runtime by {P}%",
    "Automated weekly reporting with {S}, saving {N} hours per month",
    "Introduced {S} to the team and wrote the onboarding guide",
    "Optimised {S} jobs, reducing cloud costs by {P}%",
    "Used {S} daily to ship features for {N}k monthly users",
    "Owned the {S} layer of the customer analytics product",
    "Prototyped a recommendation feature with {S} in two weeks",
    "Maintained {S} configuration for {N} production environments",
    "Debugged performance issues in {S} under peak load",
    "Set up {S} for the new reporting platform from scratch",
    "Delivered {N} releases of the {S}-based billing service",
    "Hands-on work with {S} across the full product lifecycle",
    "Upgraded {S} to the latest major version with zero downtime",
    "Created reusable {S} templates adopted by {T} squads",
    "Investigated incidents involving {S} and wrote postmortems",
    "Leveraged {S} to process over {N} million records per day",
    "Standardised how the team uses {S}, reducing onboarding time by {P}%",
)
TECH_2 = (
    "Built pipelines with {S} and {S} processing {N}M events per day",
    "Designed a service using {S} and {S} that handles {N}k requests per minute",
    "Integrated {S} with {S} to automate the release process",
    "Moved reporting from {S} to {S}, improving response times by {P}%",
    "Combined {S} and {S} to deliver a self-service portal",
    "Implemented alerting for {S} workloads using {S}",
    "Modernised a legacy application with {S} and {S}",
    "Created a proof of concept in {S} backed by {S}",
    "Replaced manual steps with {S} scripts and {S} jobs",
    "Led the move from {S} to {S} for {T} product teams",
    "Shipped customer-facing features using {S}, {S} and modern tooling",
    "Wrote integration checks for {S} services that talk to {S}",
    "Tuned {S} queries and {S} usage to cut latency by {P}%",
    "Maintained the stack of {S} plus {S} for internal users",
)
HARD_1 = (
    "Applied {S} to reduce customer churn by {P}%",
    "Championed {S} practices across {T} engineering teams",
    "Ran workshops on {S} for new hires",
    "Drove adoption of {S} in a group of {N} people",
    "Used {S} to evaluate product experiments and report results",
    "Brought {S} expertise to the platform redesign",
    "Established {S} guidelines that became the department standard",
    "Delivered projects that relied heavily on {S}",
    "Improved delivery quality through consistent {S}",
    "Contributed {S} know-how to {N} cross-team initiatives",
)
SOFT_1 = (
    "Recognised for strong {S} during a critical product launch",
    "Showed {S} by coordinating work between {T} teams",
    "Relied on {S} to keep releases on schedule",
    "Praised by managers for {S} in quarterly reviews",
    "Used {S} to align engineering and business goals",
    "Demonstrated {S} while handling escalated customer issues",
    "Brought {S} to daily stand-ups and sprint meetings",
    "Known on the team for {S} and a calm approach to incidents",
    "Applied {S} when onboarding {N} new colleagues",
    "Combined {S} with technical depth to unblock projects",
)
FILLER = (
    "Worked closely with product managers to refine requirements",
    "Participated in on-call rotation for {N} services",
    "Reduced open support tickets by {P}% over two quarters",
    "Wrote technical guides for internal users",
    "Presented quarterly results to senior management",
    "Interviewed and onboarded {N} new team members",
    "Improved release cadence from monthly to weekly",
    "Handled customer escalations and root cause reviews",
    "Contributed to hiring and roadmap discussions",
    "Kept internal wiki pages accurate and up to date",
    "Supported {T} regional offices during system rollouts",
    "Organised an internal hackathon with {N} participants",
    "Managed vendor relationships for {N} external products",
    "Tracked key metrics and shared weekly status updates",
    "Cut average page load time by {P}% for the checkout flow",
    "Helped win a multi-year contract with a public sector client",
    "Took part in quarterly planning with finance and sales",
    "Reduced infrastructure spend by {P}% through a usage review",
    "Represented the team at {T} industry meetups",
    "Owned the release checklist for a product used by {N}k customers",
    "Answered questions from the support desk within one business day",
    "Rewrote the internal handbook for new starters",
    "Ran weekly office hours for colleagues in other departments",
    "Worked across {T} time zones with a distributed team",
    "Received the annual excellence award in {Yr}",
    "Cleaned up {T} years of outdated internal reports",
)
BULLET_TEMPLATE_COUNT = len(LANG_1) + len(TECH_1) + len(TECH_2) + len(HARD_1) + len(SOFT_1) + len(FILLER)

SUMMARY_OPEN = (
    "{Adj} {title} with {Y} years of experience delivering reliable products.",
    "{title} with {Y} years in industry, focused on measurable business impact.",
    "{Adj} professional targeting {title} roles; {Y} years of hands-on experience.",
    "I am a {adj} {title} who enjoys turning vague problems into shipped features.",
    "Results-driven {title} bringing {Y} years of experience in fast-moving teams.",
    "{title} looking for the next challenge after {Y} years of building and operating systems.",
)
SUMMARY_EARLY = (
    "{Adj} graduate looking for a first {title} role.",
    "Early-career {title} eager to learn and grow with a product team.",
    "Career changer moving into {title} work after intensive self-study.",
)
SUMMARY_FILLER = (
    "Comfortable owning work end to end, from first sketch to production.",
    "Enjoys sharing knowledge with peers in brown-bag sessions.",
    "Motivated by clean, well-tested code and happy users.",
    "Open to hybrid or remote positions.",
    "Fluent in translating business needs into technical plans.",
)
YEARS_SUMMARY = (
    "{Y} years of {S}.",
    "{Y}+ years experience with {S}.",
    "{Y} years' hands-on experience in {S}.",
    "Over {Y} years working with {S}.",
    "Experienced in {S} ({Y} yrs).",
)
YEARS_LIST = ("{S} ({Y} yrs)", "{S} - {Y} years", "{S} ({Y}+ years)", "{S}: {Y}y")
NEGATION = (
    "No {S} experience yet.",
    "Not familiar with {S}.",
    "Have not used {S} professionally.",
    "No hands-on {S} experience so far.",
    "Not yet worked with {S}.",
)
SOFT_SUMMARY = (
    "Strong {S} and {S}.",
    "Known for {S}.",
    "Brings {S} and a pragmatic mindset.",
)
PROJECT = (
    "{PN}: a side project built with {S} and {S}",
    "{PN} | personal project using {S}",
    "{PN}: open-source contribution involving {S}",
    "Capstone project: {PN}, implemented in {S}",
    "{PN} - hackathon prototype with {S}",
    "{PN}: course project applying {S} to public transport timetables",
)
COURSEWORK = ("Relevant coursework: ", "Courses: ", "Modules included ", "Completed training in ")
CERT_LINE = ("{S}", "{S} (certified)", "Online course: {S}", "Certificate of completion - {S}")

HEADERS = {
    "summary": ("SUMMARY", "Profile", "About", "Professional Summary", "About Me"),
    "skills": ("SKILLS", "Technical Skills", "Core Competencies", "Skills & Tools", "Tech Stack"),
    "experience": ("EXPERIENCE", "Work History", "Employment", "Professional Experience", "Work Experience"),
    "projects": ("PROJECTS", "Selected Projects", "Personal Projects"),
    "education": ("EDUCATION", "Education & Training", "Academic Background"),
    "certifications": ("CERTIFICATIONS", "Certificates", "Licenses & Certifications"),
}

FIRST_NAMES = tuple(
    "Alex Sam Jordan Taylor Morgan Riley Casey Jamie Avery Quinn Priya Wei Fatima Mateo Lucia Tomasz Aisha Kenji Olga Diego Amara Noah Elena Ravi Chloe Yusuf Ingrid Kofi Mei Hannah Omar Sofia Lars Nadia Ben Zara".split()
)
LAST_NAMES = tuple(
    "Smith Garcia Nguyen Kowalski Okafor Tanaka Muller Rossi Silva Patel Khan Johansson Dubois Novak Haddad Chen Brown Lopez Ivanova Mensah Walsh Kim Fischer Costa Ahmed Larsen Moreau Reyes Sato Berg".split()
)
CITIES = tuple(
    "Westbrook Ashford Millbrook Eastvale Northfield Lakemont Riverton Oakridge Stonebridge Fairhaven Kingsport Maplewood".split()
)
COMPANY_A = tuple("North Blue Iron Silver Bright Cedar Nova Summit Harbor Pioneer Atlas Quill".split())
COMPANY_B = ("wind", "peak", "leaf", "stone", "field", "line", "gate", "works", "wave", "point")
COMPANY_C = ("Labs", "Systems", "Group", "Technologies", "Inc.", "Ltd", "Solutions", "Health", "Bank", "Retail")
DEGREES = (
    "B.Sc. Computer Science",
    "BSc in Information Systems",
    "Bachelor of Engineering, Software Engineering",
    "M.Sc. Data Science",
    "Master of Science in Computer Science",
    "BA Economics",
    "B.Sc. Mathematics",
    "Full-time coding bootcamp certificate",
)
PROJECT_NAMES = tuple(
    "TrailMap BudgetBuddy SkyWatch RecipeBox TicketFlow GreenRoute PetPal StockPulse StudyHub CityBikes QuickNotes LibraryLens".split()
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ADJECTIVES = ("Motivated", "Detail-oriented", "Pragmatic", "Curious", "Versatile", "Dependable")
