// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {MiniAccess} from "./MiniAccess.sol";

/// A timelock with the public interface of OpenZeppelin's TimelockController:
/// getMinDelay, PROPOSER_ROLE / EXECUTOR_ROLE / CANCELLER_ROLE (proposers also
/// cancel; the executor role held by address(0) opens execution to anyone),
/// schedule / execute / cancel, and updateDelay only through itself.
/// Written from the interface for l2stage's tests.
contract MiniTimelock is MiniAccess {
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    bytes32 public constant EXECUTOR_ROLE = keccak256("EXECUTOR_ROLE");
    bytes32 public constant CANCELLER_ROLE = keccak256("CANCELLER_ROLE");
    uint256 internal constant DONE = 1;

    uint256 private _minDelay;
    mapping(bytes32 => uint256) private _timestamps;

    event CallScheduled(
        bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay
    );
    event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data);
    event Cancelled(bytes32 indexed id);
    event MinDelayChange(uint256 oldDuration, uint256 newDuration);

    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin) {
        _grant(DEFAULT_ADMIN_ROLE, address(this));
        if (admin != address(0)) _grant(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < proposers.length; i++) {
            _grant(PROPOSER_ROLE, proposers[i]);
            _grant(CANCELLER_ROLE, proposers[i]);
        }
        for (uint256 i = 0; i < executors.length; i++) {
            _grant(EXECUTOR_ROLE, executors[i]);
        }
        _minDelay = minDelay;
        emit MinDelayChange(0, minDelay);
    }

    receive() external payable {}

    function getMinDelay() external view returns (uint256) {
        return _minDelay;
    }

    function getTimestamp(bytes32 id) external view returns (uint256) {
        return _timestamps[id];
    }

    function isOperationPending(bytes32 id) public view returns (bool) {
        return _timestamps[id] > DONE;
    }

    function isOperationDone(bytes32 id) public view returns (bool) {
        return _timestamps[id] == DONE;
    }

    function hashOperation(address target, uint256 value, bytes calldata data, bytes32 predecessor, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(target, value, data, predecessor, salt));
    }

    function schedule(address target, uint256 value, bytes calldata data, bytes32 predecessor, bytes32 salt, uint256 delay)
        external
        onlyRole(PROPOSER_ROLE)
    {
        require(delay >= _minDelay, "delay below the minimum");
        bytes32 id = hashOperation(target, value, data, predecessor, salt);
        require(_timestamps[id] == 0, "already scheduled");
        _timestamps[id] = block.timestamp + delay;
        emit CallScheduled(id, 0, target, value, data, predecessor, delay);
    }

    function execute(address target, uint256 value, bytes calldata data, bytes32 predecessor, bytes32 salt)
        external
        payable
    {
        if (!hasRole(EXECUTOR_ROLE, address(0)) && !hasRole(EXECUTOR_ROLE, msg.sender)) {
            revert MissingRole(msg.sender, EXECUTOR_ROLE);
        }
        bytes32 id = hashOperation(target, value, data, predecessor, salt);
        uint256 ready = _timestamps[id];
        require(ready > DONE && ready <= block.timestamp, "operation not ready");
        require(predecessor == bytes32(0) || isOperationDone(predecessor), "predecessor not done");
        _timestamps[id] = DONE;
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        emit CallExecuted(id, 0, target, value, data);
    }

    function cancel(bytes32 id) external onlyRole(CANCELLER_ROLE) {
        require(isOperationPending(id), "not pending");
        delete _timestamps[id];
        emit Cancelled(id);
    }

    function updateDelay(uint256 newDelay) external {
        require(msg.sender == address(this), "only through the timelock");
        emit MinDelayChange(_minDelay, newDelay);
        _minDelay = newDelay;
    }
}
