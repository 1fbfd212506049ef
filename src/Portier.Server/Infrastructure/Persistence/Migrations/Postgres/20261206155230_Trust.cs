using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Trust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "InboundSecretHash",
                table: "channels");

            migrationBuilder.AddColumn<string>(
                name: "InboundKeyId",
                table: "channels",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "channel_inbound_messages",
                columns: table => new
                {
                    ChannelId = table.Column<Guid>(type: "uuid", nullable: false),
                    MessageId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_channel_inbound_messages", x => new { x.ChannelId, x.MessageId });
                    table.ForeignKey(
                        name: "FK_channel_inbound_messages_channels_ChannelId",
                        column: x => x.ChannelId,
                        principalTable: "channels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_channel_inbound_messages_ReceivedAt",
                table: "channel_inbound_messages",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "channel_inbound_messages");

            migrationBuilder.DropColumn(
                name: "InboundKeyId",
                table: "channels");

            migrationBuilder.AddColumn<string>(
                name: "InboundSecretHash",
                table: "channels",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }
    }
}
