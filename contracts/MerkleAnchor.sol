// SPDX-License-Identifier: Apache-2.0
// The pragma admits compilers back to 0.8.4 (custom errors) so that chains whose toolchains stop early
// (FISCO BCOS 3.x documents Solidity up to 0.8.11) can rebuild it with their own compiler. Our build
// pins solc 0.8.37 with evmVersion "paris" (see scripts/build-contracts.ts and docs/anchoring.md).
pragma solidity >=0.8.4 <0.9.0;

/// @title MerkleAnchor: public, append-only record of a Merkle log's checkpoints.
/// @notice One transaction anchors one (treeSize, root) of the RFC 9162 log named by `logId`, whatever
/// the number of events it covers. The tree size of a log must grow with every anchor, so the chain
/// itself refuses a rollback or a fork of the log that would reuse a published size.
/// @dev One operator per deployment: the deployer, who may hand the role over. A per-log operator
/// claimed on first anchor would let anyone squat a log id before its owner anchors it.
contract MerkleAnchor {
    struct Checkpoint {
        uint64 treeSize;
        bytes32 root;
    }

    /// @notice The only address allowed to anchor.
    address public operator;

    mapping(bytes32 => Checkpoint) private latestOf;

    event Anchored(bytes32 indexed logId, uint64 treeSize, bytes32 root);
    event OperatorTransferred(address indexed previousOperator, address indexed newOperator);

    error NotOperator(address sender);
    error TreeSizeNotGrowing(bytes32 logId, uint64 latestTreeSize, uint64 treeSize);
    error ZeroAddressOperator();

    constructor() {
        operator = msg.sender;
        emit OperatorTransferred(address(0), msg.sender);
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    /// @notice Records that the log `logId` had root `root` at size `treeSize`.
    function anchor(bytes32 logId, uint64 treeSize, bytes32 root) external onlyOperator {
        Checkpoint storage cp = latestOf[logId];
        if (treeSize <= cp.treeSize) revert TreeSizeNotGrowing(logId, cp.treeSize, treeSize);
        cp.treeSize = treeSize;
        cp.root = root;
        emit Anchored(logId, treeSize, root);
    }

    /// @notice The latest anchored checkpoint of a log; (0, 0x0) when it was never anchored.
    function latest(bytes32 logId) external view returns (uint64 treeSize, bytes32 root) {
        Checkpoint storage cp = latestOf[logId];
        return (cp.treeSize, cp.root);
    }

    function transferOperator(address newOperator) external onlyOperator {
        if (newOperator == address(0)) revert ZeroAddressOperator();
        emit OperatorTransferred(operator, newOperator);
        operator = newOperator;
    }
}
