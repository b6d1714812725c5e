// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {MiniAccess} from "./MiniAccess.sol";

/// A small rollup bridge (deployed behind a MiniProxy): state roots proposed
/// by PROPOSER_ROLE holders, withdrawals finalized after a finalization
/// period, paused by PAUSER_ROLE holders, a forced-inclusion delay and the
/// delay after which anyone may propose when the proposers stop.
contract MiniBridge is MiniAccess {
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");

    bool private _initialized;
    bool public paused;
    uint256 public finalizationPeriodSeconds;
    uint256 public forceInclusionDelay;
    uint256 public selfProposeDelay;
    uint256 public nextIndex;
    mapping(uint256 => bytes32) public stateRoots;
    mapping(uint256 => uint256) public proposedAt;

    event Paused(address account);
    event Unpaused(address account);
    event StateRootProposed(uint256 indexed index, bytes32 root);

    function initialize(
        address admin,
        address pauser,
        address proposer,
        uint256 finalization,
        uint256 forced,
        uint256 selfPropose
    ) external {
        require(!_initialized, "initialized");
        _initialized = true;
        _grant(DEFAULT_ADMIN_ROLE, admin);
        if (pauser != address(0)) _grant(PAUSER_ROLE, pauser);
        if (proposer != address(0)) _grant(PROPOSER_ROLE, proposer);
        finalizationPeriodSeconds = finalization;
        forceInclusionDelay = forced;
        selfProposeDelay = selfPropose;
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        paused = false;
        emit Unpaused(msg.sender);
    }

    function proposeStateRoot(bytes32 root) external onlyRole(PROPOSER_ROLE) {
        stateRoots[nextIndex] = root;
        proposedAt[nextIndex] = block.timestamp;
        emit StateRootProposed(nextIndex, root);
        nextIndex++;
    }

    function isFinalized(uint256 index) external view returns (bool) {
        uint256 t = proposedAt[index];
        return !paused && t != 0 && block.timestamp >= t + finalizationPeriodSeconds;
    }
}
