"""The figures published for Bình Phước, 2023 half-year, typed once from the article (the developers'
guide), not from the code. Reached as ``antt summary --cycle 2023-H1 --province 70``."""

PROVINCE = "70"
CYCLE = "2023-H1"
DISTRICTS = 11

#: Exact figures: 843/843 residential areas; 68/86 xã new-rural; 327 models in residential areas
#: across all 111 communes and 48 in agencies, enterprises and schools; 89 broadcast hours and 2,165
#: banners and posters; 59 province/district and 190 commune bright spots; 615 core groups.
EXACT = {
    "kdc_total": 843, "kdc_registered": 843, "kdc_meeting": 843, "ntm_communes": 86, "ntm_met": 68,
    "models_residential": 327, "models_institutional": 48, "communes_with_models": 111,
    "broadcast_hours": 89, "banners_posters": 2165, "bright_spots_upper": 59, "bright_spots_commune": 190,
    "core_groups": 615,
}
#: "More than 2,100 cameras", "more than 4,000 members".
MORE_THAN = {"cameras": 2100, "core_group_members": 4000}
