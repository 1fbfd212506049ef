namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Case-insensitive "contains" search that reads the same on SQLite and PostgreSQL: compare the
/// lower-cased column with <c>LIKE</c> against this pattern, escaped with <see cref="Escape"/>.
/// </summary>
public static class TextSearch
{
    public const string Escape = "\\";

    public static string ContainsPattern(string term) =>
        "%" + term.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
