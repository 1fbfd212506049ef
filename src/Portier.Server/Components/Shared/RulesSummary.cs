using Portier.Server.Features.Rules;

namespace Portier.Server.Components.Shared;

/// <summary>One line describing a set of access rules, for lists.</summary>
public static class RulesSummary
{
    public static string Describe(AccessRulesData? rules)
    {
        if (rules is null) return "inherits";
        var types = rules.PersonTypeRules?.Count ?? 0;
        var tags = rules.AllowedTags?.Count ?? 0;
        var hours = rules.Hours is { Count: > 0 } blocks ? $"{blocks.Count} time block{(blocks.Count == 1 ? "" : "s")}" : "always";
        return $"{types} type rule{(types == 1 ? "" : "s")}, {tags} tag{(tags == 1 ? "" : "s")}, {hours}";
    }
}
