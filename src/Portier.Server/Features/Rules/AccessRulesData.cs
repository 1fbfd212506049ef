using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Rules;

/// <summary>IF person type AND status in statuses; an empty status list means any status.</summary>
public sealed record PersonTypeRuleData(string PersonType, IReadOnlyList<string>? Statuses);

/// <summary>
/// Who may pass and when, at site level or as a scope/door override that replaces the level above wholesale.
/// Empty hours mean always. <see cref="HolidaysApply"/>: whether the site's holiday calendars close or
/// re-time this rule path; null (as stored before calendars existed) or true = they do.
/// </summary>
public sealed record AccessRulesData(
    IReadOnlyList<PersonTypeRuleData>? PersonTypeRules,
    IReadOnlyList<string>? AllowedTags,
    IReadOnlyList<TimeBlockData>? Hours,
    bool? HolidaysApply = null)
{
    public static readonly AccessRulesData Empty = new([], [], []);

    public AccessRulesData Normalized() => new(PersonTypeRules ?? [], AllowedTags ?? [], Hours ?? [], HolidaysApply == false ? false : null);

    public static void Validate(AccessRulesData? rules, string field, ValidationErrors errors)
    {
        if (rules is null) return;
        var typeRules = rules.PersonTypeRules ?? [];
        errors.Require(typeRules.Count <= 100, $"{field}.personTypeRules", "At most 100 person-type rules.");
        for (var i = 0; i < typeRules.Count; i++)
        {
            var rule = typeRules[i];
            if (rule is null) { errors.Add($"{field}.personTypeRules[{i}]", "Is required."); continue; }
            errors.NotBlank(rule.PersonType, $"{field}.personTypeRules[{i}].personType", 100);
            if (rule.Statuses?.Any(string.IsNullOrWhiteSpace) == true)
                errors.Add($"{field}.personTypeRules[{i}].statuses", "Statuses must not be blank.");
        }
        if (rules.AllowedTags?.Any(string.IsNullOrWhiteSpace) == true)
            errors.Add($"{field}.allowedTags", "Tags must not be blank.");
        TimeBlockData.ValidateAll(rules.Hours, $"{field}.hours", errors);
    }
}
