using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Nodes;

/// <summary>Two nodes on one PostgreSQL database, as behind a load balancer, at a time the access scenario admits.</summary>
public sealed class ScenarioNodesFixture : ServerNodesFixture
{
    /// <summary>10:00 in New York, inside the access scenario's opening hours.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    public const int VersionCheckSeconds = 5;

    protected override NodeSetup Setup => new()
    {
        Start = Start,
        Settings = new Dictionary<string, string?>
        {
            ["Database:Changes:VersionCheckSeconds"] = VersionCheckSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
