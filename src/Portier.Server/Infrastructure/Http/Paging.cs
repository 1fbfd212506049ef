using Microsoft.EntityFrameworkCore;

namespace Portier.Server.Infrastructure.Http;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>Page-number paging shared by every list: page starts at 1, pageSize 1–200 (default 50).</summary>
public readonly record struct PageRequest(int? Page, int? PageSize)
{
    public const int MaxPageSize = 200;

    public int Number => Math.Max(1, Page ?? 1);
    public int Size => Math.Clamp(PageSize ?? 50, 1, MaxPageSize);

    public async Task<Paged<TOut>> ApplyAsync<TIn, TOut>(IQueryable<TIn> query, Func<TIn, TOut> project, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var rows = await query.Skip((Number - 1) * Size).Take(Size).ToListAsync(ct);
        return new Paged<TOut>(rows.Select(project).ToList(), Number, Size, total);
    }
}
