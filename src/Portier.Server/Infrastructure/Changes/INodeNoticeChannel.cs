namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// Notices of one kind that nodes send each other on a PostgreSQL channel. Every channel is heard on the
/// node's one listening connection (<see cref="NodeNoticeListener"/>), so a node holds a single such
/// connection however many kinds of notice it takes.
/// </summary>
public interface INodeNoticeChannel
{
    string Channel { get; }

    /// <summary>Called on the listening connection's thread: must not block.</summary>
    void Hear(string payload);
}
