namespace Portier.Core.Policy;

/// <summary>
/// The people's records in pages of <see cref="PageSize"/>, so a change to one person copies one 32 KB page and the
/// page table (8 KB at a million people) rather than every record (32 MB). A decision pays one more load, of the
/// page table, which stays in cache. Snapshots share pages; a page an older snapshot reads is never written again,
/// except for slots it does not use (claimed with <see cref="Slots"/>, as the other arrays' free slots are).
/// </summary>
internal readonly struct PersonPages
{
    private const int Shift = 10;
    /// <summary>Records per page: a page stays under the large-object threshold, and at a million people the page
    /// table and a page cost about the same to copy.</summary>
    private const int PageSize = 1 << Shift;

    private readonly CompiledPerson[][] _pages;

    private PersonPages(CompiledPerson[][] pages) => _pages = pages;

    /// <summary>Room for <paramref name="capacity"/> records, all zero.</summary>
    public PersonPages(int capacity) : this(new CompiledPerson[Pages(capacity)][])
    {
        for (var k = 0; k < _pages.Length; k++) _pages[k] = new CompiledPerson[PageSize];
    }

    public ref CompiledPerson this[int person] => ref _pages[person >> Shift][person & (PageSize - 1)];

    /// <summary>These records with person <paramref name="person"/>'s replaced; only its page and the page table are copied.</summary>
    public PersonPages With(int person, CompiledPerson record)
    {
        var pages = (CompiledPerson[][])_pages.Clone();
        var page = pages[person >> Shift] = (CompiledPerson[])pages[person >> Shift].Clone();
        page[person & (PageSize - 1)] = record;
        return new PersonPages(pages);
    }

    /// <summary>
    /// The first <paramref name="used"/> records with room for <paramref name="capacity"/>: full pages shared, the page
    /// <paramref name="used"/> falls in copied (another snapshot may write its free slots), fresh pages after it.
    /// </summary>
    public PersonPages WithRoom(int used, int capacity)
    {
        var pages = new CompiledPerson[Pages(capacity)][];
        for (var k = 0; k < pages.Length; k++)
        {
            var start = k * PageSize;
            pages[k] = start + PageSize <= used ? _pages[k]
                : start < used ? (CompiledPerson[])_pages[k].Clone()
                : new CompiledPerson[PageSize];
        }
        return new PersonPages(pages);
    }

    private static int Pages(int capacity) => Math.Max(1, (capacity + PageSize - 1) >> Shift);
}
