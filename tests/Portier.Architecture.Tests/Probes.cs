using Microsoft.EntityFrameworkCore;
using Portier.Server.Components;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Architecture.Tests.Probes;

// Each type here crosses one wall on purpose; the rules must report it.

/// <summary>Core code with I/O: a database context.</summary>
public static class CoreProbeUsingEntityFramework
{
    public static int Count(DbContext db) => db.ChangeTracker.Entries().Count();
}

/// <summary>Code outside the server that reaches into it.</summary>
public static class ProbeUsingTheServer
{
    public static Type Context => typeof(PortierDbContext);
}

/// <summary>Plumbing that names a feature's type.</summary>
public static class ProbeNamingAFeature
{
    public static string Name(Door door) => door.Name;
}

/// <summary>A feature that reaches into the console.</summary>
public static class ProbeUsingTheConsole
{
    public static Type Console => typeof(App);
}
