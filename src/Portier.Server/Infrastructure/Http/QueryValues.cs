using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Portier.Server.Infrastructure.Http;

/// <summary>Reads an enum from a query string the way JSON writes it: snake_case (<c>timed_out</c>).</summary>
public static class QueryValues
{
    public static bool TryParseEnum<TEnum>(string? text, out TEnum? value) where TEnum : struct, Enum
    {
        value = null;
        if (text is null) return true;
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (JsonNamingPolicy.SnakeCaseLower.ConvertName(candidate.ToString()) != text) continue;
            value = candidate;
            return true;
        }
        return false;
    }

    public static ProblemHttpResult InvalidEnum<TEnum>(string field) where TEnum : struct, Enum =>
        Problems.BadRequest("invalid_filter",
            $"Must be one of: {string.Join(", ", Enum.GetValues<TEnum>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())))}.", field);
}
