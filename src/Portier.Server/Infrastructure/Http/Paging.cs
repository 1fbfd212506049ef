using Microsoft.EntityFrameworkCore;

namespace Portier.Server.Infrastructure.Http;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>
/// Page-number paging shared by every list: page 1–1,000,000, pageSize 1–200 (default 50). The API
/// refuses values outside (<see cref="Validate"/>); in-process callers are clamped into range.
/// </summary>
public readonly record struct PageRequest(int? Page, int? PageSize)
{
    public const int MaxPageSize = 200;
    /// <summary>Far beyond any real list, and low enough that the row offset never overflows.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>Refuses values outside the documented range; the API never clamps them silently.</summary>
    public static void Validate(int? page, int? pageSize, ValidationErrors errors)
    {
        if (page is { } p) errors.Require(p is >= 1 and <= MaxPage, "page", $"Must be between 1 and {MaxPage}.");
        if (pageSize is { } size) errors.Require(size is >= 1 and <= MaxPageSize, "pageSize", $"Must be between 1 and {MaxPageSize}.");
    }

    public int Number => Math.Clamp(Page ?? 1, 1, MaxPage);
    public int Size => Math.Clamp(PageSize ?? 50, 1, MaxPageSize);

    public async Task<Paged<TOut>> ApplyAsync<TIn, TOut>(IQueryable<TIn> query, Func<TIn, TOut> project, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var rows = await query.Skip((Number - 1) * Size).Take(Size).ToListAsync(ct);
        return new Paged<TOut>(rows.Select(project).ToList(), Number, Size, total);
    }
}
